package io.parley.cluster;

import static io.parley.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.parley.registrar.Binding;
import io.parley.registrar.RegistrationChange;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three members; the oldest (node-a) is terminated without a goodbye, as a crashed JVM would be.
 * The tests run in order: the second one kills node-a.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolFailoverIT {

  private static final Clock CLOCK = Clock.systemUTC();

  private static List<HazelcastInstance> members;
  private static Vertx vertx;
  private static final List<PoolMembership> memberships = new ArrayList<>();
  private static final List<HazelcastLocationStore> stores = new ArrayList<>();
  private static final List<SingletonJobs> jobs = new ArrayList<>();
  private static final List<NodeLossCleanup> cleanups = new ArrayList<>();
  private static final List<String> jobRuns = new CopyOnWriteArrayList<>();
  private static final AtomicInteger slowJobRunning = new AtomicInteger();
  private static final AtomicInteger slowJobMaxConcurrent = new AtomicInteger();
  private static final AtomicInteger slowJobRuns = new AtomicInteger();
  private static int staleBindingsRemovedAtStart;

  @BeforeAll
  static void startPool() {
    members = ClusterTestSupport.start(ClusterTestSupport.loopbackPool(3));
    vertx = Vertx.vertx();
    for (HazelcastInstance hz : members) {
      PoolMembership m = new PoolMembership(hz);
      memberships.add(m);
      stores.add(new HazelcastLocationStore(hz, m.selfNodeId(), CLOCK));
    }
    // A previous incarnation of node-c left a binding behind.
    add(stores.get(1), "sip:ghost@example.test", "node-c", "tcp-1");
    for (int i = 0; i < 3; i++) {
      NodeLossCleanup cleanup = new NodeLossCleanup(memberships.get(i), stores.get(i));
      cleanups.add(cleanup);
      int removed = await(cleanup.started());
      if (i == 2) {
        staleBindingsRemovedAtStart = removed;
      }
    }
    for (PoolMembership m : memberships) {
      SingletonJobs j = new SingletonJobs(vertx, m);
      j.schedule(
          "record",
          Duration.ofMillis(100),
          () -> {
            jobRuns.add(m.selfNodeId());
            return Future.succeededFuture();
          });
      j.schedule("slow", Duration.ofMillis(50), PoolFailoverIT::slowJob);
      jobs.add(j);
    }
  }

  private static Future<?> slowJob() {
    slowJobRuns.incrementAndGet();
    slowJobMaxConcurrent.accumulateAndGet(slowJobRunning.incrementAndGet(), Math::max);
    Promise<Void> done = Promise.promise();
    vertx.setTimer(
        300,
        t -> {
          slowJobRunning.decrementAndGet();
          done.complete();
        });
    return done.future();
  }

  @AfterAll
  static void stopPool() {
    jobs.forEach(SingletonJobs::close);
    memberships.forEach(PoolMembership::close);
    if (vertx != null) {
      await(vertx.close());
    }
    ClusterTestSupport.shutdown(members);
  }

  private static Binding add(HazelcastLocationStore store, String aor, String nodeId, String flow) {
    return add(store, aor, nodeId, flow, CLOCK.instant());
  }

  private static Binding add(
      HazelcastLocationStore store, String aor, String nodeId, String flow, Instant registeredAt) {
    Instant now = CLOCK.instant();
    Binding b =
        new Binding(
            aor,
            "sip:" + nodeId + "." + aor.substring(4, aor.indexOf('@')) + "@192.0.2.10",
            null,
            -1,
            nodeId + "/" + flow,
            nodeId,
            "TCP",
            "192.0.2.10",
            40000,
            "call-" + aor,
            1,
            1.0f,
            now.plusSeconds(600),
            registeredAt);
    await(
        store.apply(
            aor, new RegistrationChange.Update(b.callId(), 1, now, List.of(b), List.of(), 10)));
    return b;
  }

  @Test
  @Order(1)
  void aRestartedNodeDropsTheBindingsOfItsPreviousIncarnation() {
    assertThat(staleBindingsRemovedAtStart).isEqualTo(1);
    assertThat(await(stores.get(0).lookup("sip:ghost@example.test"))).isEmpty();
  }

  @Test
  @Order(1)
  void theOrphanSweepDropsOldBindingsOfAbsentNodesOnly() {
    Binding lost =
        add(
            stores.get(1),
            "sip:lost@example.test",
            "node-z",
            "tcp-1",
            CLOCK.instant().minusSeconds(600));
    Binding joining = add(stores.get(1), "sip:joining@example.test", "node-y", "tcp-1");
    Binding live =
        add(
            stores.get(1),
            "sip:live@example.test",
            "node-b",
            "tcp-1",
            CLOCK.instant().minusSeconds(600));

    assertThat(await(cleanups.get(0).sweepOrphans())).isEqualTo(1);
    assertThat(await(stores.get(2).lookup(lost.aor()))).isEmpty();
    assertThat(await(stores.get(2).lookup(joining.aor()))).containsExactly(joining);
    assertThat(await(stores.get(2).lookup(live.aor()))).containsExactly(live);
  }

  @Test
  @Order(2)
  void singletonJobsRunOnTheOldestMemberOnlyAndNeverOverlap() {
    assertThat(memberships.get(0).isOldest()).isTrue();
    assertThat(memberships.get(0).liveNodeIds()).containsExactly("node-a", "node-b", "node-c");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> jobRuns.size() >= 5 && slowJobRuns.get() >= 3);

    assertThat(jobRuns).containsOnly("node-a");
    assertThat(slowJobMaxConcurrent.get()).isEqualTo(1);
  }

  @Test
  @Order(3)
  void losingAMemberDropsItsBindingsKeepsTheRestAndMovesTheJobs() {
    List<Binding> onA = new ArrayList<>();
    List<Binding> onB = new ArrayList<>();
    // Enough AORs that node-a owns (and node-b/c back up) many of their partitions.
    for (int i = 0; i < 60; i++) {
      onA.add(add(stores.get(0), "sip:a" + i + "@example.test", "node-a", "tcp-" + i));
      onB.add(add(stores.get(1), "sip:b" + i + "@example.test", "node-b", "tcp-" + i));
    }
    long ownedByA =
        onB.stream()
            .filter(
                b ->
                    members
                        .get(0)
                        .getPartitionService()
                        .getPartition(b.aor())
                        .getOwner()
                        .localMember())
            .count();
    assertThat(ownedByA).as("node-a owns some of node-b's AORs").isPositive();
    List<String> nodesLeftSeenByC = new CopyOnWriteArrayList<>();
    memberships.get(2).onNodeLeft(nodesLeftSeenByC::add);

    Instant killed = Instant.now();
    members.get(0).getLifecycleService().terminate();

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (Binding b : onA) {
                if (!await(stores.get(2).lookup(b.aor())).isEmpty()) {
                  return false;
                }
              }
              return true;
            });
    Duration cleanedAfter = Duration.between(killed, Instant.now());
    assertThat(cleanedAfter).isLessThan(Duration.ofSeconds(15));
    assertThat(nodesLeftSeenByC).containsExactly("node-a");
    assertThat(memberships.get(1).isOldest()).isTrue();
    assertThat(memberships.get(2).liveNodeIds()).containsExactly("node-b", "node-c");
    for (Binding b : onB) {
      assertThat(await(stores.get(2).lookup(b.aor()))).as(b.aor()).containsExactly(b);
    }

    int runsBefore = jobRuns.size();
    await().atMost(Duration.ofSeconds(5)).until(() -> jobRuns.size() >= runsBefore + 3);
    assertThat(jobRuns.subList(runsBefore + 1, jobRuns.size())).containsOnly("node-b");
  }
}
