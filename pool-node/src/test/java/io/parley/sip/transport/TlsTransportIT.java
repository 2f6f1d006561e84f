package io.parley.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.TestCertificates;
import io.parley.testing.TestEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TLS listener: certificate rotation without restart, handshake timeout, protocol floor. */
@Timeout(30)
class TlsTransportIT {

  private static final TestCertificates FIRST = TestCertificates.create("first.localhost");
  private static final TestCertificates SECOND = TestCertificates.create("second.localhost");

  private Vertx vertx;
  private TestEndpoint endpoint;
  // Vert.x closes a NetClient that became unreachable, with its connections: keep them referenced.
  private final java.util.List<NetClient> clients = new java.util.ArrayList<>();

  private NetClient client(NetClientOptions options) {
    NetClient c = vertx.createNetClient(options);
    clients.add(c);
    return c;
  }

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    endpoint =
        TestEndpoint.start(
            vertx,
            SipTransportOptions.defaults()
                .withHost("127.0.0.1")
                .withTlsPort(0)
                .withTls(FIRST.keyCertOptions(), null)
                .withTlsHandshakeTimeout(
                    Duration.ofSeconds(3))); // short, yet room for a loaded CI host
  }

  @AfterEach
  void tearDown() throws Exception {
    endpoint.stop();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private NetSocket connect(Set<String> protocols) throws Exception {
    PemTrustOptions trust =
        new PemTrustOptions()
            .addCertValue(Buffer.buffer(pem(FIRST)))
            .addCertValue(Buffer.buffer(pem(SECOND)));
    return client(
            new NetClientOptions()
                .setSsl(true)
                .setTrustOptions(trust)
                .setHostnameVerificationAlgorithm("HTTPS")
                .setEnabledSecureTransportProtocols(protocols))
        .connect(endpoint.transport().actualTlsPort(), "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static String pem(TestCertificates c) {
    return c.trustOptions().getCertValues().getFirst().toString(StandardCharsets.US_ASCII);
  }

  @Test
  void certificateIsRotatedWithoutRestartingTheListener() throws Exception {
    NetSocket before = connect(Set.of("TLSv1.3"));
    Certificate served = before.peerCertificates().getFirst();
    assertThat(served).isEqualTo(FIRST.serverCertificate());

    Boolean updated =
        endpoint
            .transport()
            .updateTls(SECOND.keyCertOptions(), null)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertThat(updated).isTrue();

    NetSocket after = connect(Set.of("TLSv1.2"));
    assertThat(after.peerCertificates().getFirst()).isEqualTo(SECOND.serverCertificate());

    // The connection made before the rotation keeps working: a keep-alive ping is answered.
    CompletableFuture<String> pong = new CompletableFuture<>();
    before.handler(b -> pong.complete(b.toString(StandardCharsets.US_ASCII)));
    before.write("\r\n\r\n");
    assertThat(pong.get(5, TimeUnit.SECONDS)).isEqualTo("\r\n");
  }

  @Test
  void mutualTlsListenerAcceptsOnlyClientsWithATrustedCertificate() throws Exception {
    TestEndpoint mtls =
        TestEndpoint.start(
            vertx,
            SipTransportOptions.defaults()
                .withHost("127.0.0.1")
                .withTlsPort(0)
                .withTls(FIRST.keyCertOptions(), FIRST.trustOptions())
                .withTlsRequireClientAuth(true));
    try {
      NetClientOptions base =
          new NetClientOptions()
              .setSsl(true)
              .setTrustOptions(FIRST.trustOptions())
              .setHostnameVerificationAlgorithm("HTTPS");
      int port = mtls.transport().actualTlsPort();
      NetSocket withCert =
          client(new NetClientOptions(base).setKeyCertOptions(FIRST.keyCertOptions()))
              .connect(port, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      CompletableFuture<String> pong = new CompletableFuture<>();
      withCert.handler(b -> pong.complete(b.toString(StandardCharsets.US_ASCII)));
      withCert.exceptionHandler(pong::completeExceptionally);
      withCert.closeHandler(v -> pong.completeExceptionally(new IllegalStateException("closed")));
      withCert.write("\r\n\r\n");
      assertThat(pong.get(5, TimeUnit.SECONDS)).isEqualTo("\r\n");

      // Without a certificate the server ends the session (during or right after the handshake).
      CompletableFuture<Boolean> closed = new CompletableFuture<>();
      client(base)
          .connect(port, "127.0.0.1")
          .onFailure(e -> closed.complete(true))
          .onSuccess(
              s -> {
                s.closeHandler(v -> closed.complete(true));
                s.write("\r\n\r\n");
              });
      assertThat(closed.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      mtls.stop();
    }
  }

  @Test
  void tlsOlderThan12IsRefused() {
    CompletableFuture<NetSocket> attempt =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return connect(Set.of("TLSv1.1"));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(attempt).failsWithin(Duration.ofSeconds(15));
  }

  @Test
  void silentClientIsDroppedByTheHandshakeTimeout() throws Exception {
    try (Socket s = new Socket("127.0.0.1", endpoint.transport().actualTlsPort())) {
      s.setSoTimeout(10_000);
      long start = System.nanoTime();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }
  }
}
