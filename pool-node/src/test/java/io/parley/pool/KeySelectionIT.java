package io.parley.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.config.NodeConfig;
import io.parley.tls.PemFiles;
import io.parley.tls.TlsMaterial;
import io.vertx.core.Vertx;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A member presenting {@code node.pem} (ECDSA) and {@code node-rsa.pem} through Vert.x's JDK
 * engine, as {@link PoolTls#keyCertOptions} configures it: each client gets the certificate its
 * signature schemes allow, and both chains validate against the one {@code ca.pem}.
 */
class KeySelectionIT {

  @TempDir static Path dir;
  private static Vertx vertx;
  private static NetServer server;
  private static SSLContext client;

  @BeforeAll
  static void start() throws Exception {
    TlsMaterial.ensure(dir, "parley.test", List.of("localhost", "127.0.0.1"));
    vertx = Vertx.vertx();
    NetServer s =
        vertx.createNetServer(
            new NetServerOptions()
                .setSsl(true)
                .setSslEngineOptions(new JdkSSLEngineOptions())
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setKeyCertOptions(PoolTls.keyCertOptions(new NodeConfig.Tls(dir))));
    s.connectHandler(socket -> socket.write("hello"));
    server =
        s.listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", PemFiles.readCertificates(dir.resolve("ca.pem")).get(0));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /**
   * Handshakes as a client offering only {@code schemes} and {@code suites} (the JDK's defaults if
   * null).
   */
  private static X509Certificate served(String protocol, String[] schemes, String[] suites)
      throws Exception {
    try (SSLSocket s =
        (SSLSocket)
            client
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), server.actualPort())) {
      s.setSoTimeout(10_000);
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(new String[] {protocol});
      p.setEndpointIdentificationAlgorithm("HTTPS");
      if (schemes != null) {
        p.setSignatureSchemes(schemes);
      }
      if (suites != null) {
        p.setCipherSuites(suites);
      }
      s.setSSLParameters(p);
      s.startHandshake();
      assertThat(s.getInputStream().readNBytes(5)).asString().isEqualTo("hello");
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void aClientThatOffersEcdsaGetsTheEcdsaCertificate(String protocol) throws Exception {
    X509Certificate c = served(protocol, null, null);
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(c).isEqualTo(PemFiles.readCertificates(dir.resolve("node.pem")).get(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void aClientWithoutEcdsaGetsTheRsaCertificate(String protocol) throws Exception {
    // A TLS stack without ECDSA offers neither ECDSA signature schemes nor (TLS 1.2) ECDSA cipher
    // suites; in TLS 1.2 the suite decides the certificate's key type.
    X509Certificate c =
        served(
            protocol,
            new String[] {
              "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384"
            },
            new String[] {
              "TLS_AES_128_GCM_SHA256",
              "TLS_AES_256_GCM_SHA384",
              "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
              "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
            });
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(c).isEqualTo(PemFiles.readCertificates(dir.resolve("node-rsa.pem")).get(0));
  }
}
