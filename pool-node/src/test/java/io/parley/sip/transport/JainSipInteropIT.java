package io.parley.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.SipUri;
import io.parley.sip.transaction.Destination;
import io.parley.testing.JainSipPeer;
import io.parley.testing.TestCertificates;
import io.parley.testing.TestEndpoint;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Parley's transport and transaction layers against JAIN-SIP RI, an independent SIP stack. */
@Timeout(60)
class JainSipInteropIT {

  private static final TestCertificates CERTS = TestCertificates.create("localhost");

  @TempDir Path dir;
  private Vertx vertx;
  private TestEndpoint endpoint;
  private Path keyStore;
  private Path trustStore;
  private JainSipPeer peer;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    keyStore = CERTS.writeKeyStore(dir.resolve("keys.p12"));
    trustStore = CERTS.writeTrustStore(dir.resolve("trust.p12"));
    endpoint =
        TestEndpoint.start(
            vertx,
            SipTransportOptions.defaults()
                .withHost("127.0.0.1")
                .withUdpPort(0)
                .withTcpPort(0)
                .withTlsPort(0)
                .withTls(CERTS.keyCertOptions(), CERTS.trustOptions()));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (peer != null) {
      peer.close();
    }
    endpoint.stop();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int port(Transport t) {
    return switch (t) {
      case UDP -> endpoint.transport().actualUdpPort();
      case TCP -> endpoint.transport().actualTcpPort();
      case TLS -> endpoint.transport().actualTlsPort();
    };
  }

  private JainSipPeer peer(Transport t) throws Exception {
    peer = JainSipPeer.start(t.name().toLowerCase(Locale.ROOT), keyStore, trustStore);
    return peer;
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void jainSipClientGets200ForOptionsAndMessage(Transport t) throws Exception {
    JainSipPeer p = peer(t);
    p.send("OPTIONS", port(t), null);
    Response r1 = p.nextResponse(10, TimeUnit.SECONDS);
    p.send("MESSAGE", port(t), "hello from JAIN-SIP");
    Response r2 = p.nextResponse(10, TimeUnit.SECONDS);

    assertThat(r1).isNotNull();
    assertThat(r1.getStatusCode()).isEqualTo(200);
    assertThat(((ToHeader) r1.getHeader(ToHeader.NAME)).getTag()).isNotBlank();
    assertThat(r2).isNotNull();
    assertThat(r2.getStatusCode()).isEqualTo(200);
    assertThat(endpoint.received())
        .extracting(SipRequest::method)
        .containsExactly("OPTIONS", "MESSAGE");
    assertThat(
            new String(endpoint.received().get(1).body(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("hello from JAIN-SIP");
  }

  @Test
  void jainSipUdpRetransmissionsAreAbsorbedWhileTheApplicationIsSlow() throws Exception {
    endpoint.responseDelay(Duration.ofMillis(1800)); // JAIN-SIP retransmits at 0.5 s and 1.5 s
    JainSipPeer p = peer(Transport.UDP);
    p.send("MESSAGE", port(Transport.UDP), "slow");
    Response r = p.nextResponse(10, TimeUnit.SECONDS);

    assertThat(r).isNotNull();
    assertThat(r.getStatusCode()).isEqualTo(200);
    assertThat(endpoint.inbound()).hasSizeGreaterThanOrEqualTo(2); // retransmissions arrived ...
    assertThat(endpoint.received()).hasSize(1); // ... but the application saw one request
  }

  @Test
  void jainSipInviteGetsTryingAndAFailureWhoseAckIsAbsorbed() throws Exception {
    JainSipPeer p = peer(Transport.UDP);
    p.send("INVITE", port(Transport.UDP), null); // the test application answers INVITE with 501
    Response trying = p.nextResponse(10, TimeUnit.SECONDS);
    Response failure = p.nextResponse(10, TimeUnit.SECONDS);

    assertThat(trying).isNotNull();
    assertThat(trying.getStatusCode()).isEqualTo(100);
    assertThat(failure).isNotNull();
    assertThat(failure.getStatusCode()).isEqualTo(501);
    // JAIN-SIP's transaction ACKs the 501; ours absorbs it, so the application never sees it.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                endpoint.inbound().stream()
                    .anyMatch(m -> m instanceof SipRequest r && r.isMethod("ACK")));
    assertThat(endpoint.acks()).isEmpty();
    assertThat(p.nextResponse(1500, TimeUnit.MILLISECONDS)).isNull(); // no 501 retransmission
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void parleyClientTransactionGets200FromJainSip(Transport t) throws Exception {
    JainSipPeer p = peer(t);
    SipRequest options =
        SipRequest.builder(
                "OPTIONS",
                SipUri.parse(
                    "sip:jain@127.0.0.1:"
                        + p.port()
                        + ";transport="
                        + t.name().toLowerCase(Locale.ROOT)))
            .add(HeaderName.MAX_FORWARDS, "70")
            .add(HeaderName.FROM, "<sip:parley@example.test>;tag=p1")
            .add(HeaderName.TO, "<sip:jain@example.test>")
            .add(HeaderName.CALL_ID, "parley-out-" + t)
            .add(HeaderName.CSEQ, "1 OPTIONS")
            .build();
    SipResponse response =
        endpoint.onContext(
            () -> {
              Promise<SipResponse> done = Promise.promise();
              endpoint
                  .transactions()
                  .sendRequest(
                      options,
                      new Destination("127.0.0.1", p.port(), t),
                      r -> {
                        if (r.statusCode() >= 200) {
                          done.tryComplete(r);
                        }
                      });
              return done.future();
            });
    assertThat(response.statusCode()).isEqualTo(200);
    Request seen = p.nextRequest(5, TimeUnit.SECONDS);
    assertThat(seen).isNotNull();
    assertThat(seen.getMethod()).isEqualTo("OPTIONS");
  }
}
