package io.parley.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.ClientTransaction;
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
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.jspecify.annotations.Nullable;

/**
 * JAIN-SIP RI (an independent SIP stack) as a test peer: it sends requests as a UAC and answers 200
 * to every request as a UAS.
 */
public final class JainSipPeer implements SipListener, AutoCloseable {

  private static final AtomicLong NAMES = new AtomicLong();

  private final SipStack stack;
  private final SipProvider provider;
  private final ListeningPoint listeningPoint;
  private final AddressFactory addresses;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final String transport;
  private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
  private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  private final AtomicLong cseq = new AtomicLong();

  private JainSipPeer(String transport, @Nullable Path keyStore, @Nullable Path trustStore)
      throws Exception {
    this.transport = transport;
    Properties properties =
        JainSipStack.withTls(
            JainSipStack.properties("jain-peer-" + NAMES.incrementAndGet(), false),
            keyStore,
            trustStore);
    // By default the RI parses every UDP datagram on a thread of its own, so a 100 and the final
    // response sent right after it can reach the listener in either order; one parsing thread
    // keeps the wire order, which is what tests of response sequences assert.
    properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
    JainSipStack jain = JainSipStack.create(properties, transport);
    stack = jain.stack();
    provider = jain.provider();
    listeningPoint = jain.listeningPoint();
    addresses = jain.addresses();
    headers = jain.headers();
    messages = jain.messages();
    jain.start(this);
  }

  /** A peer listening on an ephemeral port for the transport ("udp", "tcp", "tls"). */
  public static JainSipPeer start(
      String transport, @Nullable Path keyStore, @Nullable Path trustStore) throws Exception {
    return new JainSipPeer(transport, keyStore, trustStore);
  }

  public int port() {
    return listeningPoint.getPort();
  }

  /**
   * Sends a request in a JAIN-SIP client transaction; the response lands in {@link #nextResponse}.
   */
  public Request send(String method, int targetPort, @Nullable String body) throws Exception {
    SipURI target = addresses.createSipURI("parley", "127.0.0.1");
    target.setPort(targetPort);
    target.setTransportParam(transport);
    Address from = addresses.createAddress(addresses.createSipURI("jain", "example.test"));
    Address to = addresses.createAddress(addresses.createSipURI("parley", "example.test"));
    FromHeader fromHeader = headers.createFromHeader(from, "jt" + NAMES.incrementAndGet());
    ToHeader toHeader = headers.createToHeader(to, null);
    CallIdHeader callId = provider.getNewCallId();
    CSeqHeader cseqHeader = headers.createCSeqHeader(cseq.incrementAndGet(), method);
    ViaHeader via =
        headers.createViaHeader(
            "127.0.0.1", listeningPoint.getPort(), transport, null); // branch set by the stack
    MaxForwardsHeader maxForwards = headers.createMaxForwardsHeader(70);
    Request request =
        messages.createRequest(
            target, method, callId, cseqHeader, fromHeader, toHeader, List.of(via), maxForwards);
    if (method.equals(Request.INVITE)) {
      SipURI contact = addresses.createSipURI("jain", "127.0.0.1");
      contact.setPort(listeningPoint.getPort());
      contact.setTransportParam(transport);
      request.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
    }
    if (body != null) {
      request.setContent(body, headers.createContentTypeHeader("text", "plain"));
    }
    ClientTransaction ct = provider.getNewClientTransaction(request);
    ct.sendRequest();
    return request;
  }

  /** The next final or provisional response, or null after the timeout. */
  public @Nullable Response nextResponse(long timeout, TimeUnit unit) throws InterruptedException {
    return responses.poll(timeout, unit);
  }

  /** The next request received as a UAS, or null after the timeout. */
  public @Nullable Request nextRequest(long timeout, TimeUnit unit) throws InterruptedException {
    return requests.poll(timeout, unit);
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
      Response ok = messages.createResponse(Response.OK, request);
      ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag("jain" + NAMES.incrementAndGet());
      st.sendResponse(ok);
    } catch (Exception e) {
      throw new IllegalStateException("JAIN-SIP peer could not answer", e);
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
