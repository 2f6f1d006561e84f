package io.parley.cluster;

import static io.parley.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.parley.registrar.Binding;
import io.parley.registrar.RegistrationChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code min-members: 2}: a member left alone keeps routing but stops accepting registrations. */
class SplitBrainProtectionIT {

  private static List<HazelcastInstance> members;

  @BeforeAll
  static void startPool() {
    List<ClusterSettings> settings = new ArrayList<>();
    for (ClusterSettings s : ClusterTestSupport.loopbackPool(2)) {
      settings.add(
          new ClusterSettings(
              s.poolName(),
              s.nodeId(),
              s.bindHost(),
              s.advertisedHost(),
              s.port(),
              s.members(),
              null,
              2));
    }
    members = ClusterTestSupport.start(settings);
  }

  @AfterAll
  static void stopPool() {
    ClusterTestSupport.shutdown(members);
  }

  private static RegistrationChange register(String aor, String contact) {
    Instant now = Instant.now();
    Binding b =
        new Binding(
            aor,
            contact,
            null,
            -1,
            "node-a/tcp-1",
            "node-a",
            "TCP",
            "192.0.2.10",
            40000,
            "c-" + contact,
            1,
            1.0f,
            now.plusSeconds(600),
            now);
    return new RegistrationChange.Update(b.callId(), 1, now, List.of(b), List.of(), 10);
  }

  @Test
  void aLoneMemberRefusesRegistrationsButStillAnswersLookups() {
    HazelcastLocationStore store =
        new HazelcastLocationStore(members.get(0), "node-a", Clock.systemUTC());
    await(
        store.apply(
            "sip:alice@example.test", register("sip:alice@example.test", "sip:a@192.0.2.10")));

    members.get(1).getLifecycleService().terminate();

    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> members.get(0).getCluster().getMembers().size() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThatThrownBy(
                        () ->
                            await(
                                store.apply(
                                    "sip:bob@example.test",
                                    register("sip:bob@example.test", "sip:b@192.0.2.11"))))
                    .isInstanceOf(SplitBrainProtectionException.class));
    assertThat(await(store.lookup("sip:alice@example.test")))
        .extracting(Binding::contactUri)
        .containsExactly("sip:a@192.0.2.10");
  }
}
