package io.parley.cluster;

import static io.parley.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.core.HazelcastInstance;
import io.parley.registrar.Binding;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.registrar.LocationStore;
import io.parley.registrar.RegistrationChange;
import io.parley.registrar.RegistrationRejectedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The pool's location store on two real members, held to the in-memory store's behaviour. */
class HazelcastLocationStoreIT {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final AtomicLong USERS = new AtomicLong();

  private static List<HazelcastInstance> members;
  private static ClusterTestSupport.MutableClock clock;
  private static HazelcastLocationStore storeA;
  private static HazelcastLocationStore storeB;

  @BeforeAll
  static void startPool() {
    members = ClusterTestSupport.start(ClusterTestSupport.loopbackPool(2));
    clock = new ClusterTestSupport.MutableClock(T0);
    storeA = new HazelcastLocationStore(members.get(0), "node-a", clock);
    storeB = new HazelcastLocationStore(members.get(1), "node-b", clock);
  }

  @AfterAll
  static void stopPool() {
    ClusterTestSupport.shutdown(members);
  }

  // Each test uses its own AORs: the pool is shared by the class.
  private static String aor() {
    return "sip:user" + USERS.incrementAndGet() + "@example.test";
  }

  // Contacts are made unique per AOR (the pool is shared by the tests of this class).
  private static String unique(String aor, String contact) {
    return contact.replaceFirst("^sip:", "sip:" + aor.substring(4, aor.indexOf('@')) + ".");
  }

  private static Binding binding(String aor, String contact, String flow, int expiresIn) {
    return binding(aor, contact, flow, expiresIn, null, -1, "c-" + contact, 1);
  }

  private static Binding binding(
      String aor,
      String contact,
      String flow,
      int expiresIn,
      @Nullable String inst,
      int regId,
      String callId,
      long cseq) {
    Instant now = clock.instant();
    return new Binding(
        aor,
        contact,
        inst,
        regId,
        flow,
        flow.substring(0, flow.indexOf('/')),
        "TCP",
        "192.0.2.10",
        40000,
        callId,
        cseq,
        1.0f,
        now.plusSeconds(expiresIn),
        now);
  }

  private static List<Binding> add(LocationStore store, Binding b) {
    return await(
        store.apply(
            b.aor(),
            new RegistrationChange.Update(
                b.callId(), b.cseq(), clock.instant(), List.of(b), List.of(), 10)));
  }

  @Test
  void aRegistrationOnOneMemberIsVisibleOnTheOther() {
    String alice = aor();
    Binding b =
        binding(
            alice, unique(alice, "sip:alice@192.0.2.10:5070;transport=tcp"), "node-a/tcp-1", 600);

    add(storeA, b);

    assertThat(await(storeB.lookup(alice))).containsExactly(b);
    assertThat(await(storeB.findByContact(b.contactUri().toUpperCase(java.util.Locale.ROOT))))
        .isEqualTo(b);
  }

  @Test
  void removeFlowDropsOnlyThatFlowsBindingsAcrossAors() {
    String alice = aor();
    String bob = aor();
    add(storeA, binding(alice, unique(alice, "sip:a@192.0.2.10"), "node-a/tcp-11", 600));
    add(storeA, binding(bob, unique(bob, "sip:b@192.0.2.10"), "node-a/tcp-11", 600));
    add(storeA, binding(alice, unique(alice, "sip:a2@192.0.2.11"), "node-a/tcp-12", 600));

    await(storeA.removeFlow("node-a/tcp-11"));

    assertThat(await(storeB.lookup(alice)))
        .extracting(Binding::contactUri)
        .containsExactly(unique(alice, "sip:a2@192.0.2.11"));
    assertThat(await(storeB.lookup(bob))).isEmpty();
    assertThat(await(storeB.findByContact(unique(alice, "sip:a@192.0.2.10")))).isNull();
  }

  @Test
  void findByContactIsCaseInsensitiveAndIgnoresExpiredBindings() {
    String alice = aor();
    String bob = aor();
    add(storeA, binding(alice, unique(alice, "sip:a@Host.Example"), "node-a/tcp-21", 600));
    add(storeA, binding(bob, unique(bob, "sip:b-expired@192.0.2.10"), "node-a/tcp-22", -1));

    assertThat(await(storeB.findByContact(unique(alice, "sip:a@host.example"))))
        .extracting(Binding::aor)
        .isEqualTo(alice);
    assertThat(await(storeB.findByContact(unique(bob, "sip:b-expired@192.0.2.10")))).isNull();
  }

  @Test
  void instanceIdWithoutRegIdIsOneDeviceWhateverItsContact() {
    String alice = aor();
    add(
        storeA,
        binding(
            alice,
            unique(alice, "sip:a@192.0.2.10:1"),
            "node-a/tcp-31",
            600,
            "<urn:x>",
            -1,
            "c1",
            1));
    add(
        storeB,
        binding(
            alice,
            unique(alice, "sip:a@192.0.2.10:2"),
            "node-b/tcp-32",
            600,
            "<urn:x>",
            -1,
            "c2",
            1));

    assertThat(await(storeA.lookup(alice)))
        .extracting(Binding::contactUri)
        .containsExactly(unique(alice, "sip:a@192.0.2.10:2"));
  }

  @Test
  void aReplayedCSeqIsRejectedAndChangesNothing() {
    String alice = aor();
    Binding first =
        binding(
            alice, unique(alice, "sip:a@192.0.2.10"), "node-a/tcp-41", 600, null, -1, "call", 5);
    add(storeA, first);
    Binding replay =
        binding(alice, unique(alice, "sip:a@192.0.2.10"), "node-a/tcp-41", 60, null, -1, "call", 5);

    assertThatThrownBy(() -> add(storeB, replay))
        .isInstanceOfSatisfying(
            RegistrationRejectedException.class,
            e -> assertThat(e.kind()).isEqualTo(RegistrationRejectedException.Kind.OUT_OF_ORDER));
    assertThat(await(storeB.lookup(alice))).containsExactly(first);
  }

  @Test
  void tooManyBindingsIsRejected() {
    String alice = aor();
    List<Binding> three =
        List.of(
            binding(alice, unique(alice, "sip:1@192.0.2.10"), "node-a/tcp-51", 600),
            binding(alice, unique(alice, "sip:2@192.0.2.10"), "node-a/tcp-51", 600),
            binding(alice, unique(alice, "sip:3@192.0.2.10"), "node-a/tcp-51", 600));

    assertThatThrownBy(
            () ->
                await(
                    storeA.apply(
                        alice,
                        new RegistrationChange.Update(
                            "c", 1, clock.instant(), three, List.of(), 2))))
        .isInstanceOfSatisfying(
            RegistrationRejectedException.class,
            e ->
                assertThat(e.kind())
                    .isEqualTo(RegistrationRejectedException.Kind.TOO_MANY_BINDINGS));
    assertThat(await(storeA.lookup(alice))).isEmpty();
  }

  @Test
  void removeNodeDropsThatNodesBindingsEverywhereAndCountsThem() {
    String alice = aor();
    String bob = aor();
    add(storeB, binding(alice, unique(alice, "sip:a@192.0.2.10"), "node-x/tcp-1", 600));
    add(storeB, binding(bob, unique(bob, "sip:b@192.0.2.10"), "node-x/tcp-2", 600));
    Binding survivor = binding(bob, unique(bob, "sip:b2@192.0.2.10"), "node-b/tcp-3", 600);
    add(storeB, survivor);

    assertThat(await(storeA.removeNode("node-x"))).isEqualTo(2);
    assertThat(await(storeA.lookup(alice))).isEmpty();
    assertThat(await(storeA.lookup(bob))).containsExactly(survivor);
  }

  @Test
  void membersRefuseToDeserializeClassesOutsideTheWhitelist() {
    // Any Serializable class from outside io.parley.cluster/io.vertx/the JDK/Hazelcast will do.
    members.get(0).getMap("scratch").set("gadget", new org.opentest4j.AssertionFailedError("x"));

    assertThatThrownBy(() -> members.get(1).getMap("scratch").get("gadget"))
        .hasStackTraceContaining("is not allowed");
  }

  @Test
  void futuresCompleteOnTheCallersVertxContext() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      String alice = aor();
      CompletableFuture<Boolean> sameContext = new CompletableFuture<>();
      Context context = vertx.getOrCreateContext();
      context.runOnContext(
          v ->
              storeA
                  .apply(
                      alice,
                      new RegistrationChange.Update(
                          "c",
                          1,
                          clock.instant(),
                          List.of(
                              binding(
                                  alice, unique(alice, "sip:a@192.0.2.10"), "node-a/tcp-61", 600)),
                          List.of(),
                          10))
                  .compose(x -> storeA.findByContact(unique(alice, "sip:a@192.0.2.10")))
                  .onComplete(r -> sameContext.complete(Vertx.currentContext() == context)));

      assertThat(sameContext.get(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      await(vertx.close());
    }
  }

  /**
   * Random REGISTERs, flow closes, purges and clock moves, applied to both stores: every answer
   * (bindings, rejections, contact lookups, purge counts) must be the same.
   */
  @Test
  void behavesExactlyLikeTheInMemoryStore() {
    Random random = new Random(4242);
    InMemoryLocationStore reference = new InMemoryLocationStore(clock);
    members.get(0).getMap(PoolCluster.BINDINGS_MAP).clear(); // purge counts cover the whole map
    String prefix = "sip:diff" + USERS.incrementAndGet() + "-";
    List<String> aors =
        List.of(prefix + "a@example.test", prefix + "b@example.test", prefix + "c@example.test");
    List<String> log = new ArrayList<>();
    for (int step = 0; step < 250; step++) {
      String aor = aors.get(random.nextInt(aors.size()));
      int op = random.nextInt(10);
      String what;
      Object expected;
      Object actual;
      if (op < 6) {
        RegistrationChange change = randomChange(random, aor);
        what = "apply " + aor + " " + change;
        expected = outcome(reference.apply(aor, change));
        actual = outcome(storeA.apply(aor, change));
      } else if (op == 6) {
        String flow = "node-a/tcp-" + (900 + random.nextInt(3));
        what = "removeFlow " + flow;
        expected = outcome(reference.removeFlow(flow));
        actual = outcome(storeA.removeFlow(flow));
      } else if (op == 7) {
        clock.advance(Duration.ofSeconds(random.nextInt(40)));
        what = "purge at " + clock.instant();
        expected = outcome(reference.purgeExpired(clock.instant()));
        actual = outcome(storeA.purgeExpired(clock.instant()));
      } else if (op == 8) {
        String contact = contact(aor, random.nextInt(4));
        what = "findByContact " + contact;
        expected = outcome(reference.findByContact(contact.toUpperCase(java.util.Locale.ROOT)));
        actual = outcome(storeB.findByContact(contact.toUpperCase(java.util.Locale.ROOT)));
      } else {
        clock.advance(Duration.ofSeconds(random.nextInt(30)));
        what = "lookup " + aor + " at " + clock.instant();
        expected = outcome(reference.lookup(aor));
        actual = outcome(storeB.lookup(aor));
      }
      log.add(what);
      assertThat(actual).as("step %d: %s (after %s)", step, what, tail(log)).isEqualTo(expected);
    }
  }

  private static String contact(String aor, int i) {
    return "sip:" + aor.substring(4, aor.indexOf('@')) + "-" + i + "@192.0.2." + (10 + i);
  }

  private static RegistrationChange randomChange(Random random, String aor) {
    Instant now = clock.instant();
    String callId = "call-" + random.nextInt(2);
    long cseq = 1 + random.nextInt(6);
    if (random.nextInt(12) == 0) {
      return new RegistrationChange.RemoveAll(callId, cseq, now);
    }
    List<Binding> upserts = new ArrayList<>();
    List<Binding> removals = new ArrayList<>();
    int n = 1 + random.nextInt(2);
    for (int i = 0; i < n; i++) {
      int c = random.nextInt(4);
      boolean instance = random.nextInt(3) == 0;
      Binding b =
          binding(
              aor,
              contact(aor, c),
              "node-a/tcp-" + (900 + random.nextInt(3)),
              5 + random.nextInt(120),
              instance ? "<urn:uuid:" + c + ">" : null,
              instance && random.nextBoolean() ? 1 : -1,
              callId,
              cseq);
      if (random.nextInt(4) == 0) {
        removals.add(b);
      } else {
        upserts.add(b);
      }
    }
    return new RegistrationChange.Update(callId, cseq, now, upserts, removals, 3);
  }

  private static Object outcome(Future<?> f) {
    try {
      Object r = await(f);
      return r == null ? "null" : r;
    } catch (RegistrationRejectedException e) {
      return "rejected " + e.kind() + ": " + e.getMessage();
    }
  }

  private static List<String> tail(List<String> log) {
    return log.subList(Math.max(0, log.size() - 6), log.size());
  }
}
