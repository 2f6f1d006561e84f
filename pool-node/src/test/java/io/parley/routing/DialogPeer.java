package io.parley.routing;

import io.parley.testing.JainSipStack;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.jspecify.annotations.Nullable;

/**
 * A JAIN-SIP RI user agent with dialogs (automatic dialog support on): sends out-of-dialog requests
 * through a given proxy Route, answers INVITE with 180 then 200 (with a Contact), every other
 * request with 200, and sends ACK and in-dialog requests along the dialog's route set.
 */
final class DialogPeer implements SipListener, AutoCloseable {

  private static final AtomicLong NAMES = new AtomicLong();

  private final String user;
  private final String transport;
  private final SipStack stack;
  private final SipProvider provider;
  private final ListeningPoint listeningPoint;
  private final AddressFactory addresses;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
  private final AtomicLong cseq = new AtomicLong();
  private volatile @Nullable Dialog dialog;

  DialogPeer(String user, String transport) throws Exception {
    this.user = user;
    this.transport = transport;
    JainSipStack jain =
        JainSipStack.create(
            JainSipStack.properties("dialog-peer-" + user + NAMES.incrementAndGet(), true),
            transport);
    stack = jain.stack();
    provider = jain.provider();
    listeningPoint = jain.listeningPoint();
    addresses = jain.addresses();
    headers = jain.headers();
    messages = jain.messages();
    jain.start(this);
  }

  int port() {
    return listeningPoint.getPort();
  }

  /** This peer's Contact URI. */
  String contact() {
    return "sip:" + user + "@127.0.0.1:" + port() + ";transport=" + transport;
  }

  /** Sends an out-of-dialog request to {@code toAor} through the proxy at {@code proxyPort}. */
  void send(
      String method, String toAor, int proxyPort, String proxyTransport, @Nullable String body)
      throws Exception {
    SipURI target = (SipURI) addresses.createURI(toAor);
    SipURI route = addresses.createSipURI(null, "127.0.0.1");
    route.setPort(proxyPort);
    route.setTransportParam(proxyTransport);
    route.setLrParam();
    Request request =
        messages.createRequest(
            target,
            method,
            provider.getNewCallId(),
            headers.createCSeqHeader(cseq.incrementAndGet(), method),
            headers.createFromHeader(
                addresses.createAddress("sip:" + user + "@example.test"),
                user + NAMES.incrementAndGet()),
            headers.createToHeader(addresses.createAddress(toAor), null),
            List.of(headers.createViaHeader("127.0.0.1", port(), transport, null)),
            headers.createMaxForwardsHeader(70));
    request.addHeader(headers.createContactHeader(addresses.createAddress(contact())));
    request.addHeader(headers.createRouteHeader(addresses.createAddress(route)));
    if (body != null) {
      request.setContent(body, headers.createContentTypeHeader("text", "plain"));
    }
    ClientTransaction ct = provider.getNewClientTransaction(request);
    ct.sendRequest();
  }

  /** ACKs the 2xx of the dialog's INVITE. */
  void ack(Response ok) throws Exception {
    Dialog d = java.util.Objects.requireNonNull(dialog, "no dialog");
    long seq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
    d.sendAck(d.createAck(seq));
  }

  /** Sends an in-dialog request along the dialog's route set. */
  void sendInDialog(String method, @Nullable String body) throws Exception {
    Dialog d = java.util.Objects.requireNonNull(dialog, "no dialog");
    Request r = d.createRequest(method);
    if (body != null) {
      r.setContent(body, headers.createContentTypeHeader("text", "plain"));
    }
    ClientTransaction ct = provider.getNewClientTransaction(r);
    d.sendRequest(ct);
  }

  /** The next request of that method (others are skipped), or null after the timeout. */
  @Nullable Request awaitRequest(String method, long timeoutMillis) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMillis;
    for (long left = timeoutMillis; left > 0; left = end - System.currentTimeMillis()) {
      Request r = requests.poll(left, TimeUnit.MILLISECONDS);
      if (r != null && r.getMethod().equals(method)) {
        return r;
      }
    }
    return null;
  }

  /** The next response with that status to that method (others skipped), or null. */
  @Nullable Response awaitResponse(int status, String method, long timeoutMillis)
      throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMillis;
    for (long left = timeoutMillis; left > 0; left = end - System.currentTimeMillis()) {
      Response r = responses.poll(left, TimeUnit.MILLISECONDS);
      if (r != null
          && r.getStatusCode() == status
          && ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod().equals(method)) {
        return r;
      }
    }
    return null;
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    requests.add(request);
    if (request.getMethod().equals(Request.ACK)) {
      return;
    }
    try {
      ServerTransaction st = event.getServerTransaction();
      if (st == null) {
        st = provider.getNewServerTransaction(request);
      }
      String tag = "t-" + user;
      if (request.getMethod().equals(Request.INVITE)) {
        dialog = st.getDialog();
        Response ringing = messages.createResponse(Response.RINGING, request);
        ((ToHeader) ringing.getHeader(ToHeader.NAME)).setTag(tag);
        ringing.addHeader(headers.createContactHeader(addresses.createAddress(contact())));
        st.sendResponse(ringing);
      }
      Response ok = messages.createResponse(Response.OK, request);
      ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
      if (to.getTag() == null) {
        to.setTag(tag);
      }
      ok.addHeader(headers.createContactHeader(addresses.createAddress(contact())));
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

  @Override
  public void close() {
    try {
      provider.removeSipListener(this);
      stack.deleteSipProvider(provider);
      stack.deleteListeningPoint(listeningPoint);
    } catch (Exception e) {
      // best effort: the stack is stopped below anyway
    }
    stack.stop();
  }
}
