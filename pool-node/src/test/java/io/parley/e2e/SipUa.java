package io.parley.e2e;

import io.parley.testing.ClientDigest;
import io.parley.testing.JainSipStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;

/**
 * A JAIN-SIP RI user agent (an independent SIP stack, automatic dialog support on) of {@code
 * user@example.test}, talking to the node over one transport. It answers INVITE with 180 then 200
 * (SDP, Contact), every other request with 200, and records what it receives. Out-of-dialog
 * requests carry a loose Route to the node; in-dialog ones follow the JAIN-SIP dialog's route set.
 */
final class SipUa implements SipListener, AutoCloseable {

  static final String SDP =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          + "m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  static final long WAIT_MS = 10_000;
  private static final AtomicLong NAMES = new AtomicLong();
  private static final List<CompletableFuture<Void>> STOPPING = new CopyOnWriteArrayList<>();
  private static final ExecutorService STOPPER =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "e2e-jain-sip-stop");
            t.setDaemon(true);
            return t;
          });

  final String user;
  final String transport;
  private final String password;
  private final SipTarget node;
  private final SipStack stack;
  private final SipProvider provider;
  private final ListeningPoint listeningPoint;
  final AddressFactory addresses;
  final HeaderFactory headers;
  final MessageFactory messages;
  private final List<Request> received = new CopyOnWriteArrayList<>();
  private final List<Response> responses = new CopyOnWriteArrayList<>();
  private final AtomicLong cseq = new AtomicLong();
  private final String regCallId;
  private volatile @Nullable Dialog dialog;
  private volatile boolean answerInvites = true;
  private volatile @Nullable ServerTransaction ringing;
  private volatile boolean registered;
  private volatile boolean closed;

  SipUa(SipTarget node, String user, String password, String transport) throws Exception {
    this.node = node;
    this.user = user;
    this.password = password;
    this.transport = transport;
    JainSipStack jain =
        JainSipStack.create(
            JainSipStack.withTls(
                JainSipStack.properties("e2e-" + user + "-" + NAMES.incrementAndGet(), true),
                node.keyStore(),
                node.trustStore()),
            transport);
    stack = jain.stack();
    provider = jain.provider();
    listeningPoint = jain.listeningPoint();
    addresses = jain.addresses();
    headers = jain.headers();
    messages = jain.messages();
    if (transport.equals("udp")) {
      // Like real UAs (RFC 3261 §18: UDP and TCP on the same port), so a request over 1300 bytes
      // can reach this UDP-registered device over TCP (§18.1.1).
      provider.addListeningPoint(
          stack.createListeningPoint("127.0.0.1", listeningPoint.getPort(), "tcp"));
    }
    jain.start(this);
    regCallId = provider.getNewCallId().getCallId();
  }

  String aor() {
    return "sip:" + user + "@" + E2eNode.DOMAIN;
  }

  /** This UA's Contact URI. */
  String contact() {
    return "sip:" + user + "@127.0.0.1:" + listeningPoint.getPort() + ";transport=" + transport;
  }

  private SipURI nodeUri() throws Exception {
    SipURI uri = addresses.createSipURI(null, "127.0.0.1");
    uri.setPort(node.port(transport));
    uri.setTransportParam(transport);
    return uri;
  }

  // ---- building and sending ----

  /** A REGISTER of this UA's contact (or {@code *}) with that Expires, not yet sent. */
  Request newRegister(int expires, boolean wildcard) throws Exception {
    var aor = addresses.createAddress(aor());
    Request r =
        messages.createRequest(
            nodeUri(),
            Request.REGISTER,
            headers.createCallIdHeader(regCallId),
            headers.createCSeqHeader(cseq.incrementAndGet(), Request.REGISTER),
            headers.createFromHeader(aor, "r" + NAMES.incrementAndGet()),
            headers.createToHeader(aor, null),
            List.of(via()),
            headers.createMaxForwardsHeader(70));
    r.addHeader(
        wildcard
            ? headers.createContactHeader()
            : headers.createContactHeader(addresses.createAddress(contact())));
    r.addHeader(headers.createExpiresHeader(expires));
    return r;
  }

  /**
   * An out-of-dialog request from {@code fromUser@example.test} (normally this UA's user) to {@code
   * target}, routed through the node.
   */
  Request newRequest(String method, String target, String fromUser, @Nullable String body)
      throws Exception {
    SipURI route = nodeUri();
    route.setLrParam();
    Request r =
        messages.createRequest(
            addresses.createURI(target),
            method,
            provider.getNewCallId(),
            headers.createCSeqHeader(cseq.incrementAndGet(), method),
            headers.createFromHeader(
                addresses.createAddress("sip:" + fromUser + "@" + E2eNode.DOMAIN),
                "f" + NAMES.incrementAndGet()),
            headers.createToHeader(addresses.createAddress(target), null),
            List.of(via()),
            headers.createMaxForwardsHeader(70));
    r.addHeader(headers.createContactHeader(addresses.createAddress(contact())));
    r.addHeader(headers.createRouteHeader(addresses.createAddress(route)));
    if (body != null) {
      String[] type =
          method.equals(Request.INVITE)
              ? new String[] {"application", "sdp"}
              : new String[] {"text", "plain"};
      r.setContent(body, headers.createContentTypeHeader(type[0], type[1]));
    }
    return r;
  }

  private ViaHeader via() throws Exception {
    return headers.createViaHeader("127.0.0.1", listeningPoint.getPort(), transport, null);
  }

  /** Sends {@code request} in a new client transaction. */
  ClientTransaction send(Request request) throws Exception {
    ClientTransaction ct = provider.getNewClientTransaction(request);
    ct.sendRequest();
    return ct;
  }

  /** Cancels the INVITE of {@code invite}; returns the CANCEL. */
  Request cancel(ClientTransaction invite) throws Exception {
    Request cancel = invite.createCancel();
    send(cancel);
    return cancel;
  }

  /** From now on an INVITE only rings (180) until it is cancelled (then 487). */
  void ringOnly() {
    answerInvites = false;
  }

  /** Sends and waits for the final response. */
  Response call(Request request) throws Exception {
    send(request);
    return awaitFinal(request);
  }

  /**
   * Sends; if challenged (401/407), answers the first challenge offered with this UA's password in
   * a new transaction (CSeq + 1) and returns that final response.
   */
  Response callWithAuth(Request request) throws Exception {
    Response first = call(request);
    if (first.getStatusCode() != 401 && first.getStatusCode() != 407) {
      return first;
    }
    return call(withCredentials(request, first, user, password, 1));
  }

  /** {@code request} again (new CSeq and branch) carrying the answer to {@code challenge}. */
  Request withCredentials(Request request, Response challenge, String u, String pw, int nc) {
    boolean www = challenge.getStatusCode() == 401;
    String value = firstChallenge(challenge);
    String answer =
        ClientDigest.answer(
            value, u, pw, request.getMethod(), request.getRequestURI().toString(), nc);
    try {
      return withHeader(request, www ? "Authorization" : "Proxy-Authorization", answer);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A copy of {@code request} as a new transaction (CSeq + 1, fresh branch) plus one header. */
  Request withHeader(Request request, String name, String value) throws Exception {
    Request r = (Request) request.clone();
    r.removeHeader(ViaHeader.NAME);
    r.addHeader(via());
    r.setHeader(headers.createCSeqHeader(cseq.incrementAndGet(), request.getMethod()));
    r.setHeader(headers.createHeader(name, value));
    return r;
  }

  /** The value of the first WWW-/Proxy-Authenticate header of a challenge. */
  static String firstChallenge(Response challenge) {
    return challenges(challenge).get(0);
  }

  /** Every WWW-/Proxy-Authenticate value of a challenge, in order. */
  static List<String> challenges(Response challenge) {
    String name = challenge.getStatusCode() == 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
    List<String> out = new ArrayList<>();
    var it = challenge.getHeaders(name);
    while (it.hasNext()) {
      String h = it.next().toString();
      out.add(h.substring(h.indexOf(':') + 1).strip());
    }
    return out;
  }

  /** Registers this UA's contact (Digest as needed). */
  Response register(int expires) throws Exception {
    Response r = callWithAuth(newRegister(expires, false));
    if (r.getStatusCode() == 200) {
      registered = expires > 0;
    }
    return r;
  }

  /** Sends ACK for the dialog's 2xx. */
  void ack(Response ok) throws Exception {
    Dialog d = Objects.requireNonNull(dialog, "no dialog");
    long seq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
    d.sendAck(d.createAck(seq));
  }

  /** Sends an in-dialog request along the dialog's route set; returns it. */
  Request sendInDialog(String method, @Nullable String body) throws Exception {
    Dialog d = Objects.requireNonNull(dialog, "no dialog");
    Request r = d.createRequest(method);
    if (body != null) {
      r.setContent(body, headers.createContentTypeHeader("text", "plain"));
    }
    ClientTransaction ct = provider.getNewClientTransaction(r);
    d.sendRequest(ct);
    return r;
  }

  // ---- observing ----

  /** The final response to {@code request} (matched by Call-ID and CSeq), waiting for it. */
  Response awaitFinal(Request request) {
    return Awaitility.await()
        .atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(10))
        .until(
            () ->
                responsesTo(request).stream()
                    .filter(r -> r.getStatusCode() >= 200)
                    .findFirst()
                    .orElse(null),
            Objects::nonNull);
  }

  /** Every response received so far to {@code request}. */
  List<Response> responsesTo(Request request) {
    String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    long seq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
    // CANCEL shares the INVITE's CSeq number, so the method tells them apart.
    return responses.stream()
        .filter(
            r -> {
              CSeqHeader c = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
              return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId().equals(callId)
                  && c.getSeqNumber() == seq
                  && c.getMethod().equals(request.getMethod());
            })
        .toList();
  }

  /** The first received request of that method whose body is {@code body} (or any if null). */
  Request awaitRequest(String method, @Nullable String body) {
    return Awaitility.await()
        .atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(10))
        .until(
            () ->
                received.stream()
                    .filter(r -> r.getMethod().equals(method))
                    .filter(r -> body == null || body.equals(bodyOf(r)))
                    .findFirst()
                    .orElse(null),
            Objects::nonNull);
  }

  List<Request> received() {
    return List.copyOf(received);
  }

  static @Nullable String bodyOf(javax.sip.message.Message m) {
    byte[] raw = m.getRawContent();
    return raw == null ? null : new String(raw, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    received.add(request);
    if (request.getMethod().equals(Request.ACK)) {
      return;
    }
    try {
      ServerTransaction st = event.getServerTransaction();
      if (st == null) {
        st = provider.getNewServerTransaction(request);
      }
      String tag = "t-" + user + NAMES.incrementAndGet();
      ContactHeader contact = headers.createContactHeader(addresses.createAddress(contact()));
      if (request.getMethod().equals(Request.CANCEL)) {
        st.sendResponse(messages.createResponse(Response.OK, request));
        ServerTransaction invite = ringing;
        if (invite != null) {
          Response terminated =
              messages.createResponse(Response.REQUEST_TERMINATED, invite.getRequest());
          ((ToHeader) terminated.getHeader(ToHeader.NAME)).setTag(tag);
          invite.sendResponse(terminated);
        }
        return;
      }
      if (request.getMethod().equals(Request.INVITE)) {
        dialog = st.getDialog();
        Response ring = messages.createResponse(Response.RINGING, request);
        ((ToHeader) ring.getHeader(ToHeader.NAME)).setTag(tag);
        ring.addHeader(contact);
        st.sendResponse(ring);
        if (!answerInvites) {
          ringing = st;
          return;
        }
      }
      Response ok = messages.createResponse(Response.OK, request);
      ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
      if (to.getTag() == null) {
        to.setTag(tag);
      }
      ok.addHeader(contact);
      if (request.getMethod().equals(Request.INVITE)) {
        ok.setContent(SDP, headers.createContentTypeHeader("application", "sdp"));
      }
      st.sendResponse(ok);
    } catch (Exception e) {
      throw new IllegalStateException(user + " could not answer " + request.getMethod(), e);
    }
  }

  @Override
  public void processResponse(ResponseEvent event) {
    Response r = event.getResponse();
    if (r.getStatusCode() / 100 == 2
        && ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod().equals(Request.INVITE)) {
      Dialog d = event.getDialog();
      if (d == null && event.getClientTransaction() != null) {
        d = event.getClientTransaction().getDialog();
      }
      if (d != null) {
        dialog = d;
      }
    }
    responses.add(r);
  }

  @Override
  public void processTimeout(TimeoutEvent timeoutEvent) {}

  @Override
  public void processIOException(IOExceptionEvent exceptionEvent) {}

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {}

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {}

  /** Removes every binding of this user if this UA registered one (best effort), then stops. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (registered) {
      try {
        callWithAuth(newRegister(0, true));
      } catch (Exception | AssertionError e) {
        // best effort; the caller checks the location store
      }
    }
    stopInBackground();
  }

  /** Stops the stack without unregistering: its connections just close. */
  void drop() {
    closed = true;
    stopInBackground();
  }

  /**
   * JAIN-SIP's stop sleeps about a second per listening point and stack; stopping in the background
   * keeps the tests fast. {@link #awaitStopped()} waits for every stop begun so far.
   */
  private void stopInBackground() {
    STOPPING.add(CompletableFuture.runAsync(stack::stop, STOPPER));
  }

  /** Waits until every stack closed so far has stopped. */
  static void awaitStopped() throws Exception {
    for (CompletableFuture<Void> f : STOPPING) {
      f.get(30, TimeUnit.SECONDS);
    }
    STOPPING.clear();
  }
}
