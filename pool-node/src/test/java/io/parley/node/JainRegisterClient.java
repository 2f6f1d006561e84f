package io.parley.node;

import io.parley.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.TooManyListenersException;
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
import javax.sip.SipFactory;
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
    SipFactory factory = SipFactory.getInstance();
    factory.setPathName("gov.nist");
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "jain-reg-" + NAMES.incrementAndGet());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
    p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.2,TLSv1.3");
    p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
    p.setProperty(
        "gov.nist.javax.sip.ENABLED_CIPHER_SUITES",
        "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,"
            + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    if (keyStore != null && trustStore != null) {
      String pw = new String(TestCertificates.PASSWORD);
      p.setProperty("javax.net.ssl.keyStore", keyStore.toString());
      p.setProperty("javax.net.ssl.keyStorePassword", pw);
      p.setProperty("javax.net.ssl.keyStoreType", "PKCS12");
      p.setProperty("javax.net.ssl.trustStore", trustStore.toString());
      p.setProperty("javax.net.ssl.trustStorePassword", pw);
      p.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }
    stack = factory.createSipStack(p);
    addresses = factory.createAddressFactory();
    headers = factory.createHeaderFactory();
    messages = factory.createMessageFactory();
    lp = stack.createListeningPoint("127.0.0.1", freePort(transport), transport);
    provider = stack.createSipProvider(lp);
    try {
      provider.addSipListener(this);
    } catch (TooManyListenersException e) {
      throw new IllegalStateException(e);
    }
    stack.start();
  }

  private static int freePort(String transport) throws java.io.IOException {
    if (transport.equals("udp")) {
      try (var s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    }
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
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
