package io.parley.presence;

import io.parley.testing.ClientDigest;
import io.parley.testing.JainSipStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A JAIN-SIP RI user agent over TCP (automatic dialogs off: this class keeps the subscription
 * dialog itself, so the test sees exactly what the node sends). It registers first, so the node
 * knows its connection's identity; any 401/407 is answered with its password.
 */
final class PresenceUa implements SipListener {

  static final String DOMAIN = "example.test";
  private static final AtomicLong NAMES = new AtomicLong();
  private static final List<Thread> STOPPING = new CopyOnWriteArrayList<>();

  final String user;
  private final String password;
  private final int nodePort;
  private final JainSipStack jain;
  private final List<Request> notifies = new CopyOnWriteArrayList<>();
  private final List<Response> responses = new CopyOnWriteArrayList<>();
  private final AtomicLong cseq = new AtomicLong();
  private volatile int notifyAnswer = 200;

  /** The subscription dialog as this UA (the subscriber) sees it, after {@link #subscribe}. */
  record Dialog(String callId, String localTag, String remoteTag, String remoteTarget, String to) {}

  PresenceUa(String user, String password, int nodePort) throws Exception {
    this.user = user;
    this.password = password;
    this.nodePort = nodePort;
    this.jain =
        JainSipStack.create(
            JainSipStack.properties("presence-" + user + "-" + NAMES.incrementAndGet(), false),
            "tcp");
    jain.start(this);
  }

  String aor() {
    return "sip:" + user + "@" + DOMAIN;
  }

  private String contact() {
    return "sip:" + user + "@127.0.0.1:" + jain.listeningPoint().getPort() + ";transport=tcp";
  }

  private SipURI route() throws Exception {
    SipURI uri = jain.addresses().createSipURI(null, "127.0.0.1");
    uri.setPort(nodePort);
    uri.setTransportParam("tcp");
    uri.setLrParam();
    return uri;
  }

  private Request request(
      String method, String ruri, String callId, String fromTag, String to, long seq)
      throws Exception {
    Request r =
        jain.messages()
            .createRequest(
                jain.addresses().createURI(ruri),
                method,
                jain.headers().createCallIdHeader(callId),
                jain.headers().createCSeqHeader(seq, method),
                jain.headers().createFromHeader(jain.addresses().createAddress(aor()), fromTag),
                jain.headers().createToHeader(jain.addresses().createAddress(to), null),
                List.of(via()),
                jain.headers().createMaxForwardsHeader(70));
    r.addHeader(jain.headers().createContactHeader(jain.addresses().createAddress(contact())));
    return r;
  }

  private ViaHeader via() throws Exception {
    return jain.headers()
        .createViaHeader("127.0.0.1", jain.listeningPoint().getPort(), "tcp", null);
  }

  private String newCallId() {
    return jain.provider().getNewCallId().getCallId();
  }

  /** REGISTERs this UA's contact (answering the Digest challenge); returns the final status. */
  int register() throws Exception {
    Request r = request("REGISTER", "sip:" + DOMAIN, newCallId(), "r1", aor(), 1);
    r.setRequestURI(route());
    ((SipURI) r.getRequestURI()).removeParameter("lr");
    r.addHeader(jain.headers().createExpiresHeader(600));
    return callWithAuth(r).getStatusCode();
  }

  /** A PUBLISH of {@code pidf} (null: none) to this UA's own AOR; returns the final response. */
  Response publish(@Nullable String pidf, @Nullable String ifMatch, int expires, String event)
      throws Exception {
    return publish(pidf, "application", "pidf+xml", ifMatch, expires, event);
  }

  Response publish(
      @Nullable String body,
      String type,
      String subtype,
      @Nullable String ifMatch,
      int expires,
      String event)
      throws Exception {
    Request r = request("PUBLISH", aor(), newCallId(), "p" + NAMES.incrementAndGet(), aor(), 1);
    r.addHeader(jain.headers().createRouteHeader(jain.addresses().createAddress(route())));
    r.addHeader(jain.headers().createEventHeader(event));
    r.addHeader(jain.headers().createExpiresHeader(expires));
    if (ifMatch != null) {
      r.addHeader(jain.headers().createHeader("SIP-If-Match", ifMatch));
    }
    if (body != null) {
      r.setContent(body, jain.headers().createContentTypeHeader(type, subtype));
    }
    return callWithAuth(r);
  }

  /** An initial SUBSCRIBE to {@code target}; the response, and the dialog when it was 2xx. */
  Response subscribe(String target, String event, int expires) throws Exception {
    return subscribe(target, event, expires, new String[0]);
  }

  /** The same with extra headers, given as name, value, name, value... */
  Response subscribe(String target, String event, int expires, String... headers) throws Exception {
    Request r = request("SUBSCRIBE", target, newCallId(), "s" + NAMES.incrementAndGet(), target, 1);
    r.addHeader(jain.headers().createRouteHeader(jain.addresses().createAddress(route())));
    r.addHeader(jain.headers().createEventHeader(event));
    r.addHeader(jain.headers().createExpiresHeader(expires));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      r.addHeader(jain.headers().createHeader(headers[i], headers[i + 1]));
    }
    return callWithAuth(r);
  }

  /** The dialog a 2xx to SUBSCRIBE set up. */
  static Dialog dialogOf(Response ok) {
    String callId = ((CallIdHeader) ok.getHeader(CallIdHeader.NAME)).getCallId();
    javax.sip.header.FromHeader from = (javax.sip.header.FromHeader) ok.getHeader("From");
    ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
    ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
    return new Dialog(
        callId,
        from.getTag(),
        to.getTag(),
        contact.getAddress().getURI().toString(),
        to.getAddress().getURI().toString());
  }

  /** An in-dialog SUBSCRIBE (refresh, or un-SUBSCRIBE with 0) in {@code d}. */
  Response resubscribe(Dialog d, String event, int expires) throws Exception {
    Request r = request("SUBSCRIBE", d.remoteTarget(), d.callId(), d.localTag(), d.to(), next(d));
    ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(d.remoteTag());
    r.addHeader(jain.headers().createEventHeader(event));
    r.addHeader(jain.headers().createExpiresHeader(expires));
    return callWithAuth(r);
  }

  private long next(Dialog d) {
    return 100 + cseq.incrementAndGet();
  }

  /** From now on NOTIFYs are answered with {@code status}. */
  void answerNotifies(int status) {
    notifyAnswer = status;
  }

  private Response callWithAuth(Request r) throws Exception {
    Response first = call(r);
    int code = first.getStatusCode();
    if (code != 401 && code != 407) {
      return first;
    }
    String header = code == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
    String challenge = first.getHeader(header).toString();
    challenge = challenge.substring(challenge.indexOf(':') + 1).strip();
    Request again = (Request) r.clone();
    again.removeHeader(ViaHeader.NAME);
    again.addHeader(via());
    long seq = ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber() + 1;
    again.setHeader(jain.headers().createCSeqHeader(seq, r.getMethod()));
    again.setHeader(
        jain.headers()
            .createHeader(
                code == 401 ? "Authorization" : "Proxy-Authorization",
                ClientDigest.answer(
                    challenge, user, password, r.getMethod(), r.getRequestURI().toString(), 1)));
    return call(again);
  }

  private Response call(Request r) throws Exception {
    jain.provider().getNewClientTransaction(r).sendRequest();
    String callId = ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
    long seq = ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
    return Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                responses.stream()
                    .filter(x -> x.getStatusCode() >= 200)
                    .filter(
                        x ->
                            ((CallIdHeader) x.getHeader(CallIdHeader.NAME))
                                    .getCallId()
                                    .equals(callId)
                                && ((CSeqHeader) x.getHeader(CSeqHeader.NAME)).getSeqNumber()
                                    == seq)
                    .findFirst()
                    .orElse(null),
            Objects::nonNull);
  }

  /** The first NOTIFY received in dialog {@code d} (by Call-ID) that matches, waiting for it. */
  Request awaitNotify(Dialog d, Predicate<Request> matching) {
    return awaitNotify(d, matching, Duration.ofSeconds(10));
  }

  Request awaitNotify(Dialog d, Predicate<Request> matching, Duration atMost) {
    return Awaitility.await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                notifies.stream()
                    .filter(n -> d.callId().equals(callId(n)))
                    .filter(matching)
                    .findFirst()
                    .orElse(null),
            Objects::nonNull);
  }

  /** The NOTIFYs received so far in dialog {@code d}. */
  List<Request> notifiesIn(Dialog d) {
    return notifies.stream().filter(n -> d.callId().equals(callId(n))).toList();
  }

  static String callId(Request r) {
    return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
  }

  static String body(javax.sip.message.Message m) {
    byte[] raw = m.getRawContent();
    return raw == null ? "" : new String(raw, StandardCharsets.UTF_8);
  }

  static String header(javax.sip.message.Message m, String name) {
    var h = m.getHeader(name);
    if (h == null) {
      return "";
    }
    String s = h.toString();
    return s.substring(s.indexOf(':') + 1).strip();
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    try {
      var st = event.getServerTransaction();
      if (st == null) {
        st = jain.provider().getNewServerTransaction(request);
      }
      if (request.getMethod().equals(Request.NOTIFY)) {
        notifies.add(request);
        st.sendResponse(jain.messages().createResponse(notifyAnswer, request));
      } else {
        st.sendResponse(jain.messages().createResponse(Response.OK, request));
      }
    } catch (Exception e) {
      throw new IllegalStateException(user + " could not answer " + request.getMethod(), e);
    }
  }

  @Override
  public void processResponse(ResponseEvent event) {
    responses.add(event.getResponse());
  }

  @Override
  public void processTimeout(TimeoutEvent timeoutEvent) {}

  @Override
  public void processIOException(IOExceptionEvent exceptionEvent) {}

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {}

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {}

  /**
   * Stops the stack in the background (JAIN-SIP's stop sleeps about a second); {@link
   * #awaitStopped()} waits for every stop begun so far, so no stack outlives the test class.
   */
  void close() {
    Thread t = new Thread(jain.stack()::stop, "presence-ua-stop");
    t.setDaemon(true);
    STOPPING.add(t);
    t.start();
  }

  static void awaitStopped() throws InterruptedException {
    for (Thread t : STOPPING) {
      t.join(30_000);
    }
    STOPPING.clear();
  }
}
