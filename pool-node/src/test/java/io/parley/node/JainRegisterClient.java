package io.parley.node;

import io.parley.testing.JainSipStack;
import java.nio.file.Path;
import java.util.List;
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
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.jspecify.annotations.Nullable;

/** A JAIN-SIP RI user agent that sends REGISTERs (an independent SIP stack as the client). */
final class JainRegisterClient implements SipListener, AutoCloseable {

  private static final AtomicLong NAMES = new AtomicLong();

  private final SipStack stack;
  private final SipProvider provider;
  private final ListeningPoint lp;
  private final AddressFactory addresses;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final String transport;
  private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();

  JainRegisterClient(String transport, @Nullable Path keyStore, @Nullable Path trustStore)
      throws Exception {
    this.transport = transport;
    JainSipStack jain =
        JainSipStack.create(
            JainSipStack.withTls(
                JainSipStack.properties("jain-reg-" + NAMES.incrementAndGet(), false),
                keyStore,
                trustStore),
            transport);
    stack = jain.stack();
    provider = jain.provider();
    lp = jain.listeningPoint();
    addresses = jain.addresses();
    headers = jain.headers();
    messages = jain.messages();
    jain.start(this);
  }

  /**
   * Sends a REGISTER for {@code user@example.test} and waits for the final response.
   *
   * @param expires the Expires header, or -1 for none
   * @param contact "*" for the wildcard, else the Contact user part
   */
  Response register(
      int serverPort,
      String user,
      String callId,
      long cseq,
      int expires,
      String contact,
      @Nullable String authorization)
      throws Exception {
    SipURI target = addresses.createSipURI(null, "example.test");
    target.setHost("127.0.0.1");
    target.setPort(serverPort);
    target.setTransportParam(transport);
    var aor = addresses.createAddress(addresses.createSipURI(user, "example.test"));
    Request r =
        messages.createRequest(
            target,
            Request.REGISTER,
            headers.createCallIdHeader(callId),
            headers.createCSeqHeader(cseq, Request.REGISTER),
            headers.createFromHeader(aor, "t" + NAMES.incrementAndGet()),
            headers.createToHeader(aor, null),
            List.of(headers.createViaHeader("127.0.0.1", lp.getPort(), transport, null)),
            headers.createMaxForwardsHeader(70));
    ContactHeader c;
    if (contact.equals("*")) {
      c = headers.createContactHeader();
    } else {
      SipURI uri = addresses.createSipURI(contact, "127.0.0.1");
      uri.setPort(lp.getPort());
      uri.setTransportParam(transport);
      c = headers.createContactHeader(addresses.createAddress(uri));
    }
    r.addHeader(c);
    if (expires >= 0) {
      r.addHeader(headers.createExpiresHeader(expires));
    }
    if (authorization != null) {
      r.addHeader(headers.createHeader("Authorization", authorization));
    }
    ClientTransaction ct = provider.getNewClientTransaction(r);
    ct.sendRequest();
    while (true) {
      Response resp = responses.poll(10, TimeUnit.SECONDS);
      if (resp == null) {
        throw new AssertionError("no final response to REGISTER");
      }
      if (resp.getStatusCode() >= 200) {
        return resp;
      }
    }
  }

  @Override
  public void processRequest(RequestEvent event) {}

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
      stack.deleteListeningPoint(lp);
    } catch (Exception e) {
      // best effort
    }
    stack.stop();
  }
}
