package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.db.Database;
import io.parley.db.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A pool as an administrator runs it: three (then four) {@code bin/parley node} JVMs on loopback,
 * one PostgreSQL, JAIN-SIP clients on different members. The scenario is one story in order:
 * cross-member messaging and calls, a member killed with SIGKILL, a member joining, a member
 * drained, the database stopped and started again.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolIT {

  private static final Duration START = Duration.ofSeconds(180);
  private static final List<SipUa> uas = new CopyOnWriteArrayList<>();
  private static final List<PoolMember> members = new CopyOnWriteArrayList<>();

  private static Path root;
  private static EmbeddedDatabase pg;
  private static int pgPort;
  private static Database db;
  private static PoolMember n1;
  private static PoolMember n2;
  private static PoolMember n3;

  private static SipUa alice;
  private static SipUa bob;
  private static SipUa carol;
  private static SipUa dave;

  @BeforeAll
  static void startPool() throws Exception {
    root = Files.createTempDirectory("parley-pool-it");
    pg = EmbeddedDatabase.start(root.resolve("pg"));
    pgPort = pg.port();
    db = Database.open(pg.config(2));
    for (String u : List.of("alice", "bob", "carol", "dave", "erin")) {
      db.users().create(u, E2eNode.DOMAIN, null, E2eNode.DOMAIN, u + "-secret");
    }
    int[] hz = {PoolMember.freePort(), PoolMember.freePort(), PoolMember.freePort()};
    List<String> all = List.of("127.0.0.1:" + hz[0], "127.0.0.1:" + hz[1], "127.0.0.1:" + hz[2]);
    // The first member forms the pool; the others join it (members started at the very same
    // moment may form separate clusters that only merge a minute later).
    n1 = member("node-1", hz[0], all);
    n1.awaitReady(START);
    n2 = member("node-2", hz[1], all);
    n3 = member("node-3", hz[2], all);
    n2.awaitReady(START);
    n3.awaitReady(START);
  }

  private static PoolMember member(String id, int hzPort, List<String> hzMembers) throws Exception {
    PoolMember m = PoolMember.start(root, id, hzPort, hzMembers, pg.jdbcUrl());
    members.add(m);
    return m;
  }

  @AfterAll
  static void stopPool() throws Exception {
    for (SipUa ua : uas) {
      ua.drop();
    }
    for (PoolMember m : members) {
      m.close();
    }
    SipUa.awaitStopped();
    if (db != null) {
      db.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private static SipUa registered(PoolMember on, String user) throws Exception {
    SipUa ua = new SipUa(on, user, user + "-secret", "tcp");
    uas.add(ua);
    Response r = ua.register(600);
    assertThat(r.getStatusCode()).as("%s registers on %s", user, on).isEqualTo(200);
    return ua;
  }

  private static Response message(SipUa from, SipUa to, String text) throws Exception {
    return from.call(from.newRequest(Request.MESSAGE, to.aor(), from.user, text));
  }

  private static int viaCount(Request r) {
    List<Object> vias = new ArrayList<>();
    r.getHeaders("Via").forEachRemaining(vias::add);
    return vias.size();
  }

  @Test
  @Order(0)
  @EnabledOnOs(
      value = OS.LINUX,
      architectures = {"amd64", "x86_64"})
  void membersOnLinuxX86RunTheNativeEpollTransport() {
    // The fan-out and message rates in docs/performance.md are measured with it; a member that
    // silently fell back to NIO would be slower without saying why.
    for (PoolMember m : List.of(n1, n2, n3)) {
      assertThat(m.text()).as("%s's log", m).contains("network I/O: native epoll transport");
    }
  }

  @Test
  @Order(1)
  void messagesCrossMembersBothWays() throws Exception {
    alice = registered(n1, "alice");
    bob = registered(n3, "bob");

    assertThat(message(alice, bob, "hello from node 1").getStatusCode()).isEqualTo(200);
    Request got = bob.awaitRequest(Request.MESSAGE, "hello from node 1");
    // alice's Via, node-1's, node-3's: the request was proxied by both members.
    assertThat(viaCount(got)).isEqualTo(3);

    assertThat(message(bob, alice, "hello from node 3").getStatusCode()).isEqualTo(200);
    alice.awaitRequest(Request.MESSAGE, "hello from node 3");
  }

  @Test
  @Order(2)
  void inviteSessionFollowsTheDialogAcrossMembers() throws Exception {
    Request invite = alice.newRequest(Request.INVITE, bob.aor(), "alice", SipUa.SDP);
    alice.send(invite);
    Response ok = alice.awaitFinal(invite);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    assertThat(alice.responsesTo(invite)).anyMatch(r -> r.getStatusCode() == 180);
    alice.ack(ok);
    assertThat(viaCount(bob.awaitRequest(Request.ACK, null))).isEqualTo(3);

    alice.sendInDialog(Request.MESSAGE, "in the call, from alice");
    assertThat(viaCount(bob.awaitRequest(Request.MESSAGE, "in the call, from alice"))).isEqualTo(3);
    Request fromBob = bob.sendInDialog(Request.MESSAGE, "in the call, from bob");
    alice.awaitRequest(Request.MESSAGE, "in the call, from bob");
    assertThat(bob.awaitFinal(fromBob).getStatusCode()).isEqualTo(200);

    Request bye = bob.sendInDialog(Request.BYE, null);
    alice.awaitRequest(Request.BYE, null);
    assertThat(bob.awaitFinal(bye).getStatusCode()).isEqualTo(200);
  }

  @Test
  @Order(3)
  void presenceOfAUserOnAnotherMemberReachesWatchers() throws Exception {
    Request subscribe = alice.newRequest(Request.SUBSCRIBE, bob.aor(), "alice", null);
    subscribe.addHeader(alice.headers.createHeader("Event", "presence"));
    subscribe.addHeader(alice.headers.createHeader("Accept", "application/pidf+xml"));
    subscribe.addHeader(alice.headers.createExpiresHeader(600));
    assertThat(alice.call(subscribe).getStatusCode()).isBetween(200, 202);
    // Registered on node-3, never published: online for a watcher on node-1.
    awaitNotify(alice, "<basic>open</basic>");

    Request publish = bob.newRequest(Request.PUBLISH, bob.aor(), "bob", null);
    publish.addHeader(bob.headers.createHeader("Event", "presence"));
    publish.addHeader(bob.headers.createExpiresHeader(600));
    publish.setContent(
        pidf(bob.aor(), "open", "in a meeting"),
        bob.headers.createContentTypeHeader("application", "pidf+xml"));
    Response published = bob.call(publish);
    assertThat(published.getStatusCode()).isEqualTo(200);
    awaitNotify(alice, "in a meeting");

    // A later change travels with its composed view (no member reads it back): same result.
    Thread.sleep(io.parley.presence.PresenceAgent.VIEW_CLOCK_MARGIN.toMillis() + 200);
    Request modify = bob.newRequest(Request.PUBLISH, bob.aor(), "bob", null);
    modify.addHeader(bob.headers.createHeader("Event", "presence"));
    modify.addHeader(bob.headers.createExpiresHeader(600));
    modify.addHeader(
        bob.headers.createHeader(
            "SIP-If-Match", published.getHeader("SIP-ETag").toString().split(":", 2)[1].strip()));
    modify.setContent(
        pidf(bob.aor(), "open", "back at my desk"),
        bob.headers.createContentTypeHeader("application", "pidf+xml"));
    assertThat(bob.call(modify).getStatusCode()).isEqualTo(200);
    awaitNotify(alice, "back at my desk");
  }

  private static String pidf(String entity, String basic, String note) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\""
        + entity
        + "\"><tuple id=\"t1\"><status><basic>"
        + basic
        + "</basic></status><note>"
        + note
        + "</note></tuple></presence>";
  }

  /** Waits for a NOTIFY to {@code ua} whose body contains {@code text}. */
  private static void awaitNotify(SipUa ua, String text) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                ua.received().stream()
                    .anyMatch(
                        r ->
                            r.getMethod().equals(Request.NOTIFY)
                                && SipUa.bodyOf(r) != null
                                && SipUa.bodyOf(r).contains(text)));
  }

  @Test
  @Order(4)
  void aKilledMembersUsersGoOfflineAndComeBackOnAnotherMember() throws Exception {
    carol = registered(n2, "carol");
    n3.kill();
    long killed = System.nanoTime();
    bob.drop();

    // Hazelcast notices the loss, the oldest survivor drops node-3's bindings: bob is offline.
    Awaitility.await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> message(alice, bob, "are you there?").getStatusCode() == 480);
    long offlineAfterMs = (System.nanoTime() - killed) / 1_000_000;
    System.out.println("PoolIT: bob offline " + offlineAfterMs + " ms after SIGKILL of node-3");
    // ...and his watcher on node-1 is told: his registration and publication died with node-3.
    awaitNotify(alice, "<basic>closed</basic>");

    // What the survivors hold is intact.
    assertThat(message(alice, carol, "still here?").getStatusCode()).isEqualTo(200);
    carol.awaitRequest(Request.MESSAGE, "still here?");

    // Bob's client reconnects (through the load balancer) to another member: reachable at once.
    bob = registered(n2, "bob");
    assertThat(message(alice, bob, "welcome back").getStatusCode()).isEqualTo(200);
    bob.awaitRequest(Request.MESSAGE, "welcome back");
  }

  @Test
  @Order(5)
  void aJoiningMemberTakesClientsWithoutRestartingTheOthers() throws Exception {
    PoolMember n4 =
        member(
            "node-4",
            PoolMember.freePort(),
            List.of("127.0.0.1:" + n1.hazelcastPort, "127.0.0.1:" + n2.hazelcastPort));
    n4.awaitReady(START);
    dave = registered(n4, "dave");

    assertThat(message(alice, dave, "hi dave on node 4").getStatusCode()).isEqualTo(200);
    dave.awaitRequest(Request.MESSAGE, "hi dave on node 4");
    assertThat(message(dave, carol, "hi carol on node 2").getStatusCode()).isEqualTo(200);
    carol.awaitRequest(Request.MESSAGE, "hi carol on node 2");
  }

  @Test
  @Order(6)
  void aDrainedMemberSendsItsClientsElsewhereAndLeaves() throws Exception {
    int exit = n2.terminateAndWait(Duration.ofSeconds(60));
    // 143 = 128 + SIGTERM: how the JVM reports an exit on that signal after its shutdown hook.
    assertThat(exit).isIn(0, 143);
    assertThat(n2.text()).contains("draining: closing").contains("draining: done");
    carol.drop();
    bob.drop();

    // Its clients' connections were closed and their bindings dropped...
    assertThat(message(alice, carol, "carol?").getStatusCode()).isEqualTo(480);
    // ...so they re-register through the load balancer on another member.
    carol = registered(n1, "carol");
    assertThat(message(dave, carol, "found you").getStatusCode()).isEqualTo(200);
    carol.awaitRequest(Request.MESSAGE, "found you");
    assertThat(n1.alive()).isTrue();
  }

  @Test
  @Order(7)
  void withTheDatabaseDownSignedInUsersCarryOn() throws Exception {
    pg.close();
    try {
      // Known users re-register from the pool-wide credential cache, on any member.
      SipUa aliceAgain = registered(members.get(3), "alice");
      assertThat(message(aliceAgain, dave, "db is down, still chatting").getStatusCode())
          .isEqualTo(200);
      dave.awaitRequest(Request.MESSAGE, "db is down, still chatting");
      assertThat(message(carol, dave, "me too").getStatusCode()).isEqualTo(200);

      // Someone never seen cannot be verified: 503 with Retry-After, not a hang or a 500.
      SipUa erin = new SipUa(n1, "erin", "erin-secret", "tcp");
      uas.add(erin);
      Response refused = erin.register(600);
      assertThat(refused.getStatusCode()).isEqualTo(503);
      assertThat(refused.getHeader("Retry-After")).isNotNull();
      assertThat(n1.alive()).isTrue();
    } finally {
      pg = EmbeddedDatabase.start(root.resolve("pg"), pgPort);
    }
    SipUa erinLater = new SipUa(n1, "erin", "erin-secret", "tcp");
    uas.add(erinLater);
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> erinLater.register(600).getStatusCode() == 200);
  }
}
