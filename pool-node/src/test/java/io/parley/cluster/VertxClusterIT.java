package io.parley.cluster;

import static io.parley.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.registrar.Binding;
import io.parley.registrar.RegistrationChange;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The config as the node uses it: under Vert.x's cluster manager, with the clustered event bus. */
class VertxClusterIT {

  private static final List<Vertx> nodes = new ArrayList<>();
  private static final List<HazelcastClusterManager> managers = new ArrayList<>();

  @BeforeAll
  static void startClusteredVertx() {
    for (ClusterSettings s : ClusterTestSupport.loopbackPool(2)) {
      var config = PoolCluster.hazelcastConfig(s);
      config.setProperty("hazelcast.wait.seconds.before.join", "1"); // as ClusterTestSupport
      HazelcastClusterManager manager = new HazelcastClusterManager(config);
      managers.add(manager);
      nodes.add(
          await(
              Vertx.builder()
                  .with(
                      new VertxOptions()
                          .setEventBusOptions(
                              new EventBusOptions().setHost("127.0.0.1").setPort(0)))
                  .withClusterManager(manager)
                  .buildClustered()));
    }
  }

  @AfterAll
  static void stop() {
    for (Vertx v : nodes) {
      await(v.close());
    }
  }

  @Test
  void theEventBusAndThePoolMapsWorkUnderVertxsClusterManager() {
    nodes.get(1).eventBus().<String>consumer("parley.sip.node-b", m -> m.reply("got " + m.body()));
    // Registrations propagate to the other member asynchronously; retry until the consumer is seen.
    String reply = null;
    for (int i = 0; i < 50 && reply == null; i++) {
      try {
        reply =
            await(nodes.get(0).eventBus().<String>request("parley.sip.node-b", "INVITE")).body();
      } catch (RuntimeException notYetRegistered) {
        await(nodes.get(0).timer(100));
      }
    }
    assertThat(reply).isEqualTo("got INVITE");

    PoolMembership membership = new PoolMembership(managers.get(0).getHazelcastInstance());
    assertThat(membership.liveNodeIds()).containsExactly("node-a", "node-b");
    HazelcastLocationStore a =
        new HazelcastLocationStore(
            managers.get(0).getHazelcastInstance(), "node-a", Clock.systemUTC());
    HazelcastLocationStore b =
        new HazelcastLocationStore(
            managers.get(1).getHazelcastInstance(), "node-b", Clock.systemUTC());
    Instant now = Instant.now();
    Binding binding =
        new Binding(
            "sip:alice@example.test",
            "sip:alice@192.0.2.10",
            null,
            -1,
            "node-a/tcp-1",
            "node-a",
            "TCP",
            "192.0.2.10",
            40000,
            "c",
            1,
            1.0f,
            now.plusSeconds(600),
            now);
    await(
        a.apply(
            binding.aor(),
            new RegistrationChange.Update("c", 1, now, List.of(binding), List.of(), 10)));
    assertThat(await(b.lookup("sip:alice@example.test"))).containsExactly(binding);
    membership.close();
  }
}
