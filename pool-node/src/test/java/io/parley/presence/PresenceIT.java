package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.app.JdbcCredentialSource;
import io.parley.db.Database;
import io.parley.db.presence.PresenceAction;
import io.parley.db.presence.PresenceRuleRepository;
import io.parley.db.testing.TestDatabase;
import io.parley.node.SipNode;
import io.parley.node.SipNodeConfig;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.routing.ProxyCore;
import io.parley.routing.ProxyIdentity;
import io.parley.sip.transaction.OverloadPolicy;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transaction.VertxSipTimers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence through a full node (SipNode + Digest over embedded PostgreSQL + proxy + presence agent)
 * with JAIN-SIP RI user agents over TCP: publication, subscriptions, NOTIFY on change, polite
 * block, pending watchers and watcher info, expiry, and the error answers.
 */
@Timeout(30)
class PresenceIT {

  private static final String DOMAIN = PresenceUa.DOMAIN;
  // Publications outlive a test (until they expire): each test watches presentities of its own.
  private static final String[] USERS = {
    "alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan", "judy", "kim"
  };

  private static final int MAX_PER_WATCHER = 5;

  private static TestDatabase db;
  private static Vertx vertx;
  private static SipNode node;
  private static DatabasePresenceRules rules;
  private static InMemoryPresenceEvents events;
  private final List<PresenceUa> uas = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.start();
    Database database = db.database();
    for (String u : USERS) {
      database.users().create(u, DOMAIN, null, DOMAIN, u + "-secret");
    }
    vertx = Vertx.vertx();
    TransactionOptions tx = TransactionOptions.defaults();
    SipNodeConfig config =
        SipNodeConfig.of(List.of(DOMAIN), "127.0.0.1", 0, 0)
            .withNodeId("p1")
            .withTransactions(
                tx.withOverload(
                    new OverloadPolicy(
                        tx.overload().highWatermark(),
                        tx.overload().lowWatermark(),
                        Duration.ZERO,
                        tx.overload().retryAfterSeconds())));
    events = new InMemoryPresenceEvents();
    rules =
        new DatabasePresenceRules(
            vertx, new PresenceRuleRepository(db.dsl()), database.users(), events, true);
    node =
        new SipNode(
                vertx,
                config,
                new JdbcCredentialSource(vertx, database.credentials()),
                "presence-it-digest-key-0123456789".getBytes(StandardCharsets.UTF_8),
                new PresenceLocationStore(new InMemoryLocationStore(), events),
                services ->
                    new ProxyCore(
                        services.transactions(),
                        services.transport(),
                        new VertxSipTimers(services.vertx(), services.context()),
                        services.locations(),
                        Set.of(DOMAIN),
                        new ProxyIdentity("p1", Set.of("localhost", "127.0.0.1")),
                        aor -> Future.succeededFuture(true)))
            .withLocalService(
                Presence.agent(
                    PresenceConfig.defaults()
                        .withMinimums(Duration.ofSeconds(1), Duration.ofMillis(200))
                        .withMaxSubscriptionsPerWatcher(MAX_PER_WATCHER),
                    new InMemoryPresenceDocuments(),
                    events,
                    new InMemoryWatcherDirectory(),
                    rules));
    await(node.start());
  }

  @AfterAll
  static void stop() throws Exception {
    PresenceUa.awaitStopped();
    try {
      if (node != null) {
        await(node.stop());
      }
      if (vertx != null) {
        await(vertx.close());
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  @AfterEach
  void closeUas() {
    uas.forEach(PresenceUa::close);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private PresenceUa ua(String user) throws Exception {
    PresenceUa ua = new PresenceUa(user, user + "-secret", node.actualTcpPort());
    uas.add(ua);
    assertThat(ua.register()).isEqualTo(200);
    return ua;
  }

  private static String pidf(String user, String basic, String activity, String note) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf"
            xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
            xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:%s@%s">
          <tuple id="pc"><status><basic>%s</basic></status></tuple>
          <dm:person id="p"><rpid:activities>%s</rpid:activities><dm:note>%s</dm:note></dm:person>
        </presence>
        """
        .formatted(user, DOMAIN, basic, activity, note);
  }

  private static String state(Request notify) {
    return PresenceUa.header(notify, "Subscription-State");
  }

  @Test
  void aWatcherGetsThePublishedDocumentAndEveryChange() throws Exception {
    PresenceUa bob = ua("bob");
    PresenceUa alice = ua("alice");
    Response published = bob.publish(pidf("bob", "open", "", "at my desk"), null, 600, "presence");
    assertThat(published.getStatusCode()).isEqualTo(200);
    String etag = PresenceUa.header(published, "SIP-ETag");
    assertThat(etag).isNotEmpty();
    assertThat(PresenceUa.header(published, "Expires")).isEqualTo("600");

    Response ok = alice.subscribe("sip:bob@" + DOMAIN, "presence", 600);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    Request first = alice.awaitNotify(d, n -> PresenceUa.body(n).contains("at my desk"));
    assertThat(state(first)).startsWith("active;expires=");
    assertThat(PresenceUa.header(first, "Event")).isEqualTo("presence");
    assertThat(PresenceUa.header(first, "Content-Type")).isEqualTo("application/pidf+xml");
    assertThat(PresenceUa.body(first))
        .contains("entity=\"sip:bob@example.test\"")
        .contains("<basic>open</basic>");

    Response modified =
        bob.publish(pidf("bob", "open", "<rpid:meeting/>", "in a meeting"), etag, 600, "presence");
    assertThat(modified.getStatusCode()).isEqualTo(200);
    String etag2 = PresenceUa.header(modified, "SIP-ETag");
    assertThat(etag2).isNotEqualTo(etag);
    Request change = alice.awaitNotify(d, n -> PresenceUa.body(n).contains("in a meeting"));
    assertThat(PresenceUa.body(change)).contains("<rpid:meeting/>");
    // Every NOTIFY of the dialog has a higher CSeq than the one before.
    List<Long> seqs =
        alice.notifiesIn(d).stream()
            .map(n -> ((javax.sip.header.CSeqHeader) n.getHeader("CSeq")).getSeqNumber())
            .toList();
    assertThat(seqs).isSorted().doesNotHaveDuplicates();

    // The old ETag is spent: 412. A refresh with the current one keeps the document.
    assertThat(bob.publish(null, etag, 600, "presence").getStatusCode()).isEqualTo(412);
    Response refreshed = bob.publish(null, etag2, 300, "presence");
    assertThat(refreshed.getStatusCode()).isEqualTo(200);
    // Removal: the watcher sees bob's registration only (open, no note).
    String etag3 = PresenceUa.header(refreshed, "SIP-ETag");
    assertThat(bob.publish(null, etag3, 0, "presence").getStatusCode()).isEqualTo(200);
    Request removed =
        alice.awaitNotify(
            d,
            n ->
                PresenceUa.body(n).contains("<basic>open</basic>")
                    && !PresenceUa.body(n).contains("note"));
    assertThat(PresenceUa.body(removed)).doesNotContain("meeting");

    Response unsubscribed = alice.resubscribe(d, "presence", 0);
    assertThat(unsubscribed.getStatusCode()).isEqualTo(200);
    Request last = alice.awaitNotify(d, n -> state(n).startsWith("terminated"));
    assertThat(state(last)).isEqualTo("terminated;reason=timeout");
  }

  @Test
  void aBlockedWatcherIsAcceptedButSeesThePresentityOffline() throws Exception {
    await(rules.setRule("sip:carol@" + DOMAIN, "sip:dave@" + DOMAIN, PresenceAction.BLOCK));
    PresenceUa carol = ua("carol");
    PresenceUa dave = ua("dave");
    assertThat(
            carol
                .publish(pidf("carol", "open", "", "carol here"), null, 600, "presence")
                .getStatusCode())
        .isEqualTo(200);
    Response ok = dave.subscribe("sip:carol@" + DOMAIN, "presence", 600);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    Request notify = dave.awaitNotify(d, n -> !PresenceUa.body(n).isEmpty());
    assertThat(state(notify)).startsWith("active");
    assertThat(PresenceUa.body(notify))
        .contains("<basic>closed</basic>")
        .doesNotContain("<basic>open</basic>")
        .doesNotContain("carol here");

    // Unblocking shows the real state at once.
    await(rules.setRule("sip:carol@" + DOMAIN, "sip:dave@" + DOMAIN, PresenceAction.ALLOW));
    dave.awaitNotify(d, n -> PresenceUa.body(n).contains("carol here"));
  }

  @Test
  void aPendingWatcherShowsInWatcherInfoUntilThePresentityAllowsIt() throws Exception {
    await(rules.setRule("sip:erin@" + DOMAIN, "sip:frank@" + DOMAIN, PresenceAction.PENDING));
    PresenceUa erin = ua("erin");
    PresenceUa frank = ua("frank");
    Response winfoOk = erin.subscribe("sip:erin@" + DOMAIN, "presence.winfo", 600);
    assertThat(winfoOk.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog winfo = PresenceUa.dialogOf(winfoOk);
    Request empty = erin.awaitNotify(winfo, n -> true);
    assertThat(PresenceUa.header(empty, "Content-Type")).isEqualTo("application/watcherinfo+xml");
    assertThat(PresenceUa.body(empty)).contains("state=\"full\"").doesNotContain("<watcher ");

    Response accepted = frank.subscribe("sip:erin@" + DOMAIN, "presence", 600);
    assertThat(accepted.getStatusCode()).isEqualTo(202);
    PresenceUa.Dialog d = PresenceUa.dialogOf(accepted);
    Request pending = frank.awaitNotify(d, n -> true);
    assertThat(state(pending)).startsWith("pending");
    assertThat(PresenceUa.body(pending)).isEmpty();
    erin.awaitNotify(
        winfo,
        n ->
            PresenceUa.body(n).contains("status=\"pending\"")
                && PresenceUa.body(n).contains(">sip:frank@example.test</watcher>"));

    await(rules.setRule("sip:erin@" + DOMAIN, "sip:frank@" + DOMAIN, PresenceAction.ALLOW));
    Request active = frank.awaitNotify(d, n -> state(n).startsWith("active"));
    assertThat(PresenceUa.body(active)).contains("entity=\"sip:erin@example.test\"");
    erin.awaitNotify(winfo, n -> PresenceUa.body(n).contains("status=\"active\""));
  }

  @Test
  void aUserWhoNeverPublishesIsOnlineWhileRegistered() throws Exception {
    PresenceUa alice = ua("alice");
    Response ok = alice.subscribe("sip:gina@" + DOMAIN, "presence", 600);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    alice.awaitNotify(d, n -> PresenceUa.body(n).contains("<basic>closed</basic>"));
    PresenceUa gina = ua("gina");
    alice.awaitNotify(d, n -> PresenceUa.body(n).contains("<basic>open</basic>"));
    int before = alice.notifiesIn(d).size();
    gina.close(); // her connection closes: the registrar drops her binding
    alice.awaitNotify(
        d,
        n ->
            alice.notifiesIn(d).indexOf(n) >= before
                && PresenceUa.body(n).contains("<basic>closed</basic>"));
  }

  @Test
  void aRefreshGetsTheCurrentStateAndAWatcherAnswering481EndsItsSubscription() throws Exception {
    PresenceUa alice = ua("alice");
    PresenceUa hank = ua("hank");
    Response ok = alice.subscribe("sip:hank@" + DOMAIN, "presence", 600);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    alice.awaitNotify(d, n -> true);
    Response refreshed = alice.resubscribe(d, "presence", 300);
    assertThat(refreshed.getStatusCode()).isEqualTo(200);
    assertThat(PresenceUa.header(refreshed, "Expires")).isEqualTo("300");
    alice.awaitNotify(d, n -> alice.notifiesIn(d).indexOf(n) >= 1);

    alice.answerNotifies(481);
    assertThat(
            hank.publish(pidf("hank", "open", "", "gone fishing"), null, 600, "presence")
                .getStatusCode())
        .isEqualTo(200);
    alice.awaitNotify(d, n -> PresenceUa.body(n).contains("gone fishing"));
    // The node dropped the subscription on the 481 (RFC 6665 §4.2.2): the dialog is unknown.
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(alice.resubscribe(d, "presence", 300).getStatusCode()).isEqualTo(481));
  }

  @Test
  void oneWatcherCannotHoldMoreThanItsShareOfSubscriptions() throws Exception {
    PresenceUa ivan = ua("ivan");
    PresenceUa.Dialog first = null;
    for (int i = 0; i < MAX_PER_WATCHER; i++) {
      Response ok = ivan.subscribe("sip:hank@" + DOMAIN, "presence", 600);
      assertThat(ok.getStatusCode()).isEqualTo(200);
      first = first == null ? PresenceUa.dialogOf(ok) : first;
    }
    Response refused = ivan.subscribe("sip:hank@" + DOMAIN, "presence", 600);
    assertThat(refused.getStatusCode()).isEqualTo(503);
    assertThat(PresenceUa.header(refused, "Retry-After")).isNotEmpty();
    // Ending one makes room for another.
    assertThat(ivan.resubscribe(first, "presence", 0).getStatusCode()).isEqualTo(200);
    assertThat(ivan.subscribe("sip:hank@" + DOMAIN, "presence", 600).getStatusCode())
        .isEqualTo(200);
  }

  @Test
  void subscriptionsAndPublicationsExpire() throws Exception {
    PresenceUa bob = ua("bob");
    PresenceUa alice = ua("alice");
    assertThat(
            bob.publish(pidf("bob", "open", "<rpid:busy/>", "short-lived"), null, 2, "presence")
                .getStatusCode())
        .isEqualTo(200);
    Response ok = alice.subscribe("sip:bob@" + DOMAIN, "presence", 4);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    alice.awaitNotify(d, n -> PresenceUa.body(n).contains("short-lived"));
    // The publication lapses after 2 s: bob's registration remains.
    alice.awaitNotify(
        d,
        n -> !PresenceUa.body(n).contains("short-lived") && state(n).startsWith("active"),
        Duration.ofSeconds(5));
    Request end =
        alice.awaitNotify(d, n -> state(n).startsWith("terminated"), Duration.ofSeconds(6));
    assertThat(state(end)).isEqualTo("terminated;reason=timeout");
    // The dialog is gone: a refresh gets 481.
    assertThat(alice.resubscribe(d, "presence", 60).getStatusCode()).isEqualTo(481);
  }

  @Test
  void unknownEventsUnsupportedBodiesAndUnknownTargetsGetPreciseErrors() throws Exception {
    PresenceUa alice = ua("alice");
    Response badEvent = alice.subscribe("sip:bob@" + DOMAIN, "no-such-package", 600);
    assertThat(badEvent.getStatusCode()).isEqualTo(489);
    assertThat(PresenceUa.header(badEvent, "Allow-Events")).contains("presence");
    assertThat(alice.publish(pidf("alice", "open", "", "x"), null, 600, "dialog").getStatusCode())
        .isEqualTo(489);
    Response textBody = alice.publish("I am here", "text", "plain", null, 600, "presence");
    assertThat(textBody.getStatusCode()).isEqualTo(415);
    assertThat(PresenceUa.header(textBody, "Accept")).isEqualTo("application/pidf+xml");
    assertThat(
            alice
                .publish("<presence xmlns='urn:ietf:params:xml:ns:pidf'", null, 600, "presence")
                .getStatusCode())
        .isEqualTo(400);
    assertThat(alice.publish(null, "no-such-etag", 600, "presence").getStatusCode()).isEqualTo(412);
    assertThat(alice.subscribe("sip:nobody@" + DOMAIN, "presence", 600).getStatusCode())
        .isEqualTo(404);
    Response brief = alice.subscribe("sip:bob@" + DOMAIN, "presence", 0);
    assertThat(brief.getStatusCode()).as("a fetch").isEqualTo(200);
  }

  @Test
  void aViewCarriedInAChangeEventIsUsedOnlyWhenNewerThanAnyChangeTheNodeKnows() throws Exception {
    PresenceUa judy = ua("judy");
    PresenceUa kim = ua("kim");
    String presentity = "sip:judy@" + DOMAIN;
    assertThat(
            judy.publish(pidf("judy", "open", "", "stored"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(kim.subscribe(presentity, "presence", 600));
    kim.awaitNotify(d, n -> PresenceUa.body(n).contains("stored"));
    // Views are trusted from one VIEW_CLOCK_MARGIN after the subscription on (versions are µs).
    long t = micros(Instant.now()) + PresenceAgent.VIEW_CLOCK_MARGIN.toNanos() / 1_000;

    // A member composed the view after a change: the NOTIFYs of that change use it as it is.
    notifyAfter(kim, d, () -> changed(presentity, view(t + 200_000, "carried")), "carried");
    // One composed before it that arrives late is not trusted: the stored state is read instead.
    notifyAfter(kim, d, () -> changed(presentity, view(t + 100_000, "late")), "stored");
    notifyAfter(kim, d, () -> changed(presentity, view(t + 300_000, "newer")), "newer");
    // Nor one composed before a change that came without a view (registration, expiry).
    Thread.sleep(500);
    notifyAfter(kim, d, () -> changed(presentity, null), "stored");
    notifyAfter(kim, d, () -> changed(presentity, view(t + 400_000, "overtaken")), "stored");
    assertThat(kim.notifiesIn(d))
        .noneMatch(
            n -> PresenceUa.body(n).contains("late") || PresenceUa.body(n).contains("overtaken"));
  }

  private static void changed(String presentity, PresenceEvent.@Nullable View view) {
    events.publish(new PresenceEvent.ViewChanged(presentity, view));
  }

  /** Runs {@code change}, then awaits a NOTIFY after those seen so far containing {@code text}. */
  private static void notifyAfter(
      PresenceUa ua, PresenceUa.Dialog d, Runnable change, String text) {
    int seen = ua.notifiesIn(d).size();
    change.run();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                ua.notifiesIn(d).stream()
                    .skip(seen)
                    .anyMatch(n -> PresenceUa.body(n).contains(text)));
  }

  private static PresenceEvent.View view(long version, String note) {
    return new PresenceEvent.View(
        version, pidf("judy", "open", "", note).getBytes(StandardCharsets.UTF_8));
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }
}
