package io.parley.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Properties;
import java.util.TooManyListenersException;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import org.jspecify.annotations.Nullable;

/**
 * The JAIN-SIP RI setup the test peers share: stack properties, a listening point on 127.0.0.1 at a
 * free port, and one provider on it. Each peer adds its own listener and behaviour.
 */
public record JainSipStack(
    SipStack stack,
    SipProvider provider,
    ListeningPoint listeningPoint,
    AddressFactory addresses,
    HeaderFactory headers,
    MessageFactory messages) {

  /** The base properties: a stack name, automatic dialog support on or off, no tracing. */
  public static Properties properties(String stackName, boolean automaticDialogs) {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", stackName);
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", automaticDialogs ? "on" : "off");
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
    return p;
  }

  /**
   * Adds the TLS client settings to {@code p}, and the PKCS#12 key and trust stores (password
   * {@link TestCertificates#PASSWORD}) when both are given.
   */
  public static Properties withTls(
      Properties p, @Nullable Path keyStore, @Nullable Path trustStore) {
    p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.2,TLSv1.3");
    p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
    // JAIN-SIP's default suites are RSA-only and outdated; our test certificates are EC.
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
    return p;
  }

  /**
   * Creates a stack from {@code p} with a provider on a free 127.0.0.1 port for {@code transport}
   * ("udp", "tcp", "tls"); not started yet, so the caller can add listening points first.
   */
  public static JainSipStack create(Properties p, String transport) throws Exception {
    SipFactory factory = SipFactory.getInstance();
    factory.setPathName("gov.nist");
    SipStack stack = factory.createSipStack(p);
    // JAIN-SIP refuses port 0, so take a port the OS just handed out.
    ListeningPoint lp = stack.createListeningPoint("127.0.0.1", freePort(transport), transport);
    return new JainSipStack(
        stack,
        stack.createSipProvider(lp),
        lp,
        factory.createAddressFactory(),
        factory.createHeaderFactory(),
        factory.createMessageFactory());
  }

  /** Makes {@code listener} the provider's listener and starts the stack. */
  public void start(SipListener listener) throws Exception {
    try {
      provider.addSipListener(listener);
    } catch (TooManyListenersException e) {
      throw new IllegalStateException(e);
    }
    stack.start();
  }

  /** A loopback port the OS just handed out for the transport. */
  public static int freePort(String transport) throws IOException {
    if (transport.equals("udp")) {
      try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    }
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
