package io.parley.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.registrar.Binding;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.registrar.RegistrationChange;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipUri;
import io.parley.sip.transaction.OverloadPolicy;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transaction.TransactionUser;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.SipTransportLayer;
import io.parley.sip.transport.SipTransportOptions;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * ProxyCore on the real transport and transaction layers between two JAIN-SIP RI user agents: Alice
 * over TCP, Bob over UDP (registered directly in the location store; authentication is the
 * dispatcher's business, so a tiny TransactionUser stands in for it). One proxy and one pair of
 * peers serve every test (a JAIN-SIP stack takes seconds to start and stop); each test uses its own
 * Call-IDs and waits only for the messages it caused.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyCoreIT {

  private static final long WAIT = 10_000;

  private Vertx vertx;
  private SipTransportLayer transport;
  private final InMemoryLocationStore store = new InMemoryLocationStore();
  private DialogPeer alice;
  private DialogPeer bob;

  @BeforeAll
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    transport =
        SipTransportLayer.create(
            vertx,
            SipTransportOptions.defaults()
                .withHost("127.0.0.1")
                .withUdpPort(0)
                .withTcpPort(0)
                .withFlowIdPrefix("node-1/"));
    transport.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Context ctx = transport.context();
    Promise<Void> ready = Promise.promise();
    ctx.runOnContext(
        v -> {
          TransactionOptions defaults = TransactionOptions.defaults();
          TransactionLayer layer =
              new TransactionLayer(
                  transport,
                  new VertxSipTimers(vertx, ctx),
                  defaults.withOverload(new OverloadPolicy(1_000, 900, Duration.ZERO, 5)));
          ProxyCore proxy =
              new ProxyCore(
                  layer,
                  transport,
                  new VertxSipTimers(vertx, ctx),
                  store,
                  Set.of("example.test"),
                  new ProxyIdentity("node-1", Set.of("localhost")),
                  aor ->
                      vertx.executeBlocking(
                          () ->
                              Set.of("sip:bob@example.test", "sip:carol@example.test")
                                  .contains(aor)));
          layer.transactionUser(new Dispatcher(proxy));
          ready.complete();
        });
    ready.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    alice = new DialogPeer("alice", "tcp");
    bob = new DialogPeer("bob", "udp");
    Instant now = Instant.now();
    String flowId = "node-1/udp-127.0.0.1:" + bob.port();
    Binding b =
        new Binding(
            "sip:bob@example.test",
            bob.contact(),
            null,
            -1,
            flowId,
            "node-1",
            "UDP",
            "127.0.0.1",
            bob.port(),
            "reg-1",
            1,
            1.0f,
            now.plusSeconds(3600),
            now);
    store.apply(
        "sip:bob@example.test",
        new RegistrationChange.Update("reg-1", 1, now, List.of(b), List.of(), 10));
  }

  @AfterAll
  void tearDown() throws Exception {
    // Each JAIN-SIP stack takes ~2 s to stop: stop both at once.
    Thread a = Thread.ofVirtual().start(() -> closeQuietly(alice));
    Thread b = Thread.ofVirtual().start(() -> closeQuietly(bob));
    a.join();
    b.join();
    transport.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void closeQuietly(DialogPeer peer) {
    if (peer != null) {
      peer.close();
    }
  }

  /** Stands in for SipApplication: out-of-dialog requests count as authenticated by From. */
  private record Dispatcher(ProxyCore proxy) implements TransactionUser {
    @Override
    public void onRequest(SipRequest request, ServerTransaction tx) {
      String aor =
          request.to().tag() == null && request.from().uri() instanceof SipUri u ? u.aor() : null;
      proxy.onRequest(tx, request, tx.flow(), aor);
    }

    @Override
    public void onAck(SipRequest ack, Flow flow) {
      proxy.onAck2xx(ack, flow);
    }

    @Override
    public void onCancel(ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {
      proxy.onCancel(cancelTx, cancel, invite);
    }
  }

  private static String body(Request r) {
    return new String(r.getRawContent(), StandardCharsets.UTF_8);
  }

  @Test
  void pageModeMessageFromTcpAliceReachesUdpBob() throws Exception {
    alice.send("MESSAGE", "sip:bob@example.test", transport.actualTcpPort(), "tcp", "hello bob");

    Request atBob = bob.awaitRequest("MESSAGE", WAIT);
    assertThat(atBob).isNotNull();
    assertThat(body(atBob)).isEqualTo("hello bob");
    assertThat(atBob.getRequestURI().toString()).isEqualTo(bob.contact());
    assertThat(alice.awaitResponse(200, "MESSAGE", WAIT)).isNotNull();
  }

  @Test
  void messageToUnknownUserGets404AndToOfflineKnownUserGets480() throws Exception {
    int port = transport.actualTcpPort();

    alice.send("MESSAGE", "sip:nobody@example.test", port, "tcp", "x");
    assertThat(alice.awaitResponse(404, "MESSAGE", WAIT)).isNotNull();
    alice.send("MESSAGE", "sip:carol@example.test", port, "tcp", "x");
    assertThat(alice.awaitResponse(480, "MESSAGE", WAIT)).isNotNull();
  }

  @Test
  void inviteSessionWithInDialogMessagesBothWaysAndByeFromCallee() throws Exception {
    alice.send("INVITE", "sip:bob@example.test", transport.actualTcpPort(), "tcp", "v=0");

    Request invite = bob.awaitRequest("INVITE", WAIT);
    assertThat(invite).isNotNull();
    assertThat(invite.getHeaders(RecordRouteHeader.NAME)).toIterable().hasSize(2);
    assertThat(alice.awaitResponse(180, "INVITE", WAIT)).isNotNull();
    Response ok = alice.awaitResponse(200, "INVITE", WAIT);
    assertThat(ok).isNotNull();

    alice.ack(ok);
    Request ack = bob.awaitRequest("ACK", WAIT);
    assertThat(ack).isNotNull();
    assertThat(ack.getHeader(RouteHeader.NAME)).as("our Routes popped").isNull();

    alice.sendInDialog("MESSAGE", "from alice");
    Request m1 = bob.awaitRequest("MESSAGE", WAIT);
    assertThat(m1).isNotNull();
    assertThat(body(m1)).isEqualTo("from alice");
    assertThat(alice.awaitResponse(200, "MESSAGE", WAIT)).isNotNull();

    bob.sendInDialog("MESSAGE", "from bob");
    Request m2 = alice.awaitRequest("MESSAGE", WAIT);
    assertThat(m2).isNotNull();
    assertThat(body(m2)).isEqualTo("from bob");
    assertThat(bob.awaitResponse(200, "MESSAGE", WAIT)).isNotNull();

    bob.sendInDialog("BYE", null);
    assertThat(alice.awaitRequest("BYE", WAIT)).isNotNull();
    assertThat(bob.awaitResponse(200, "BYE", WAIT)).isNotNull();
  }
}
