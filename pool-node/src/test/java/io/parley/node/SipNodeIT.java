package io.parley.node;

import static io.parley.testing.ClientDigest.authorization;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.app.InMemoryCredentialSource;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.sip.transport.Transport;
import io.parley.testing.TestCertificates;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A whole node (transport, transactions, Digest, registrar) against JAIN-SIP RI and raw TCP. */
@Timeout(60)
class SipNodeIT {

  private static final TestCertificates CERTS = TestCertificates.create("localhost");
  private static final byte[] KEY =
      "it-digest-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @TempDir static Path dir;
  private static Vertx vertx;
  private static SipNode node;
  private static InMemoryLocationStore store;
  private static Path keyStore;
  private static Path trustStore;
  private JainRegisterClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    keyStore = CERTS.writeKeyStore(dir.resolve("keys.p12"));
    trustStore = CERTS.writeTrustStore(dir.resolve("trust.p12"));
    store = new InMemoryLocationStore();
    InMemoryCredentialSource users =
        new InMemoryCredentialSource()
            .add("alice", "example.test", "alice-pw", true)
            .add("bob", "example.test", "bob-pw", true);
    SipNodeConfig base = SipNodeConfig.of(java.util.List.of("example.test"), "127.0.0.1", 0, 0);
    SipNodeConfig config =
        base.withTransport(base.transport().withTlsPort(0).withTls(CERTS.keyCertOptions(), null))
            .withNonceLifetime(Duration.ofSeconds(2))
            .withMaxAuthFailures(1000)
            .withTransactions(withoutLagProbe());
    node = new SipNode(vertx, config, users, KEY, store, s -> NodeTestSupport.stubRouter());
    node.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Shared CI machines lag; the lag probe would shed test traffic with 503 (it has own tests). */
  static io.parley.sip.transaction.TransactionOptions withoutLagProbe() {
    var tx = io.parley.sip.transaction.TransactionOptions.defaults();
    return tx.withOverload(
        new io.parley.sip.transaction.OverloadPolicy(
            tx.overload().highWatermark(),
            tx.overload().lowWatermark(),
            Duration.ZERO,
            tx.overload().retryAfterSeconds()));
  }

  @AfterAll
  static void stop() throws Exception {
    node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  private static int port(Transport t) {
    return switch (t) {
      case UDP -> node.actualUdpPort();
      case TCP -> node.actualTcpPort();
      case TLS -> node.actualTlsPort();
    };
  }

  private JainRegisterClient client(Transport t) throws Exception {
    client = new JainRegisterClient(t.name().toLowerCase(Locale.ROOT), keyStore, trustStore);
    return client;
  }

  private static String challenge(Response r, int index) {
    var it = r.getHeaders(WWWAuthenticateHeader.NAME);
    String value = null;
    for (int i = 0; i <= index; i++) {
      value = it.next().toString();
    }
    return value.substring(value.indexOf(':') + 1).strip();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void registerRefreshAndWildcardRemoveWithDigest(Transport t) throws Exception {
    JainRegisterClient c = client(t);
    String user = "alice";
    String callId = "reg-" + t + "@it";
    int p = port(t);
    Response challenge = c.register(p, user, callId, 1, -1, "alice", null);
    assertThat(challenge.getStatusCode()).isEqualTo(401);
    String sha = challenge(challenge, 1); // MD5 first, SHA-256 second (client compatibility)
    assertThat(sha).contains("SHA-256");

    Response ok =
        c.register(
            p,
            user,
            callId,
            2,
            -1,
            "alice",
            authorization(sha, user, "alice-pw", "REGISTER", "sip:127.0.0.1:" + p, "00000001"));
    assertThat(ok.getStatusCode()).isEqualTo(200);
    assertThat(((ExpiresHeader) ok.getHeader(ExpiresHeader.NAME)).getExpires()).isEqualTo(3600);
    assertThat(((ContactHeader) ok.getHeader(ContactHeader.NAME)).getExpires()).isEqualTo(3600);
    assertThat(store.lookup("sip:alice@example.test").result())
        .anySatisfy(b -> assertThat(b.transport()).isEqualTo(t.viaName()));

    // Refresh with a shorter interval: over TCP/TLS the connection identity spares the challenge.
    String auth =
        t == Transport.UDP
            ? authorization(
                challenge(c.register(p, user, callId, 3, 600, "alice", null), 1),
                user,
                "alice-pw",
                "REGISTER",
                "(null)",
                "00000001")
            : null;
    Response refreshed = c.register(p, user, callId, 4, 600, "alice", auth);
    assertThat(refreshed.getStatusCode()).isEqualTo(200);
    assertThat(((ContactHeader) refreshed.getHeader(ContactHeader.NAME)).getExpires())
        .isEqualTo(600);

    String auth2 =
        t == Transport.UDP
            ? authorization(
                challenge(c.register(p, user, callId, 5, 0, "*", null), 0),
                user,
                "alice-pw",
                "REGISTER",
                "sip:example.test",
                "00000001")
            : null;
    Response removed = c.register(p, user, callId, 6, 0, "*", auth2);
    assertThat(removed.getStatusCode()).isEqualTo(200);
    assertThat(removed.getHeader(ContactHeader.NAME)).isNull();
    assertThat(store.lookup("sip:alice@example.test").result()).isEmpty();
  }

  @Test
  void tooBriefIntervalWrongPasswordUnknownUserStaleNonceAndReplay() throws Exception {
    JainRegisterClient c = client(Transport.UDP);
    int p = port(Transport.UDP);

    String ch = challenge(c.register(p, "bob", "b1", 1, 30, "bob", null), 0);
    Response brief =
        c.register(
            p,
            "bob",
            "b1",
            2,
            30,
            "bob",
            authorization(ch, "bob", "bob-pw", "REGISTER", "sip:x", "00000001"));
    assertThat(brief.getStatusCode()).isEqualTo(423);
    assertThat(brief.getHeader("Min-Expires").toString()).contains("60");

    // A replay of those very credentials (same nonce and nc) is challenged again.
    Response replay =
        c.register(
            p,
            "bob",
            "b1",
            3,
            600,
            "bob",
            authorization(ch, "bob", "bob-pw", "REGISTER", "sip:x", "00000001"));
    assertThat(replay.getStatusCode()).isEqualTo(401);

    String ch2 = challenge(c.register(p, "bob", "b2", 1, -1, "bob", null), 0);
    Response wrong =
        c.register(
            p,
            "bob",
            "b2",
            2,
            -1,
            "bob",
            authorization(ch2, "bob", "nope", "REGISTER", "sip:x", "00000001"));
    String ch3 = challenge(c.register(p, "zed", "z1", 1, -1, "zed", null), 0);
    Response unknown =
        c.register(
            p,
            "zed",
            "z1",
            2,
            -1,
            "zed",
            authorization(ch3, "zed", "nope", "REGISTER", "sip:x", "00000001"));
    assertThat(wrong.getStatusCode()).isEqualTo(401).isEqualTo(unknown.getStatusCode());
    assertThat(wrong.getReasonPhrase()).isEqualTo(unknown.getReasonPhrase());
    assertThat(challenge(wrong, 0)).doesNotContain("stale");
    assertThat(challenge(unknown, 0)).doesNotContain("stale");

    String ch4 = challenge(c.register(p, "bob", "b3", 1, -1, "bob", null), 0);
    Thread.sleep(2600); // the node's nonce lifetime is 2 s
    Response stale =
        c.register(
            p,
            "bob",
            "b3",
            2,
            -1,
            "bob",
            authorization(ch4, "bob", "bob-pw", "REGISTER", "sip:x", "00000001"));
    assertThat(stale.getStatusCode()).isEqualTo(401);
    assertThat(challenge(stale, 0)).contains("stale=true");
  }

  @Test
  void tcpConnectionIdentityRefusesSpoofedFromAndClosingDropsBindings() throws Exception {
    int p = node.actualTcpPort();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", p), 5000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      int local = s.getLocalPort();
      String first = rawRegister(local, 1, null);
      out.write(first.getBytes(StandardCharsets.UTF_8));
      String challenge = NodeTestSupport.readMessage(in);
      assertThat(NodeTestSupport.status(challenge)).isEqualTo(401);
      String www = NodeTestSupport.header(challenge, "WWW-Authenticate");
      out.write(
          rawRegister(
                  local,
                  2,
                  authorization(
                      www, "alice", "alice-pw", "REGISTER", "sip:example.test", "00000001"))
              .getBytes(StandardCharsets.UTF_8));
      assertThat(NodeTestSupport.status(NodeTestSupport.readMessage(in))).isEqualTo(200);
      assertThat(store.lookup("sip:alice@example.test").result()).hasSize(1);

      out.write(rawMessage(local, "alice", 1).getBytes(StandardCharsets.UTF_8));
      assertThat(NodeTestSupport.status(NodeTestSupport.readMessage(in))).isEqualTo(200);
      out.write(rawMessage(local, "bob", 2).getBytes(StandardCharsets.UTF_8));
      String spoofed = NodeTestSupport.readMessage(in);
      assertThat(NodeTestSupport.status(spoofed)).isEqualTo(403);
      assertThat(spoofed).contains("From does not match the authenticated identity");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.lookup("sip:alice@example.test").result().isEmpty());
  }

  private static String rawRegister(int localPort, int cseq, String authorization) {
    return ("REGISTER sip:example.test SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP 127.0.0.1:"
        + localPort
        + ";branch=z9hG4bK-raw"
        + cseq
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.test>;tag=raw"
        + cseq
        + "\r\n"
        + "To: <sip:alice@example.test>\r\n"
        + "Call-ID: raw-reg@it\r\n"
        + "CSeq: "
        + cseq
        + " REGISTER\r\n"
        + "Contact: <sip:alice@127.0.0.1:"
        + localPort
        + ";transport=tcp>\r\n"
        + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
        + "Content-Length: 0\r\n\r\n");
  }

  private static String rawMessage(int localPort, String from, int n) {
    return "MESSAGE sip:bob@example.test SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP 127.0.0.1:"
        + localPort
        + ";branch=z9hG4bK-rawm"
        + n
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:"
        + from
        + "@example.test>;tag=m"
        + n
        + "\r\n"
        + "To: <sip:bob@example.test>\r\n"
        + "Call-ID: raw-msg-"
        + n
        + "@it\r\n"
        + "CSeq: 1 MESSAGE\r\n"
        + "Content-Length: 0\r\n\r\n";
  }
}
