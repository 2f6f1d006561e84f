package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real handshakes over loopback with plain JDK sockets, using generated material. */
class TlsHandshakeTest {

  private static TestCertificates certs;
  private static TestCertificates stranger;

  @BeforeAll
  static void make() {
    certs = TestCertificates.localhost();
    stranger = TestCertificates.localhost();
  }

  /** Runs one handshake; returns the negotiated protocol seen by the client. */
  private static String handshake(String protocol, SSLContext client, String host)
      throws Exception {
    try (SSLServerSocket server =
        (SSLServerSocket)
            certs
                .sslContext()
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setEnabledProtocols(new String[] {protocol});
      server.setSoTimeout(5000);
      CompletableFuture<Void> accepted =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                  s.setSoTimeout(5000);
                  s.getOutputStream().write(42);
                  s.getOutputStream().flush();
                  s.getInputStream().read();
                } catch (IOException e) {
                  // the client side reports the failure
                }
              });
      try (SSLSocket s =
          (SSLSocket)
              client
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        s.setSoTimeout(5000);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {protocol});
        // Hostname verification as a real client does it, against the SANs.
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (!Character.isDigit(host.charAt(0))) {
          p.setServerNames(List.of(new SNIHostName(host)));
        }
        s.setSSLParameters(p);
        s.startHandshake();
        assertThat(s.getInputStream().read()).isEqualTo(42);
        s.getOutputStream().write(1);
        return s.getSession().getProtocol();
      } finally {
        accepted.get(5, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void clientTrustingTheCaCompletesTheHandshake(String protocol) throws Exception {
    assertThat(handshake(protocol, certs.clientSslContext(), "localhost")).isEqualTo(protocol);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void clientTrustingAnotherCaFails(String protocol) {
    assertThatThrownBy(() -> handshake(protocol, stranger.clientSslContext(), "localhost"))
        .isInstanceOf(SSLHandshakeException.class);
  }
}
