package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingsMergePolicyTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

  private static StoredBinding binding(String contact, String node, int writtenAt) {
    return new StoredBinding(
        "sip:alice@example.test",
        contact,
        null,
        -1,
        node + "/tcp-1",
        node,
        "TCP",
        "192.0.2.10",
        40000,
        "c-" + contact,
        1,
        1.0f,
        T0.plusSeconds(3600),
        T0.plusSeconds(writtenAt));
  }

  @Test
  void healedSplitKeepsTheDevicesBothSidesRegisteredAndTheLaterWriteOfACommonOne() {
    StoredBinding phoneOld = binding("sip:phone@192.0.2.10", "node-a", 0);
    StoredBinding phoneNew = binding("sip:phone@192.0.2.10", "node-b", 10);
    StoredBinding laptop = binding("sip:laptop@192.0.2.11", "node-a", 5);
    StoredBinding tablet = binding("sip:tablet@192.0.2.12", "node-b", 5);
    AorBindings sideA = new AorBindings(7, List.of(phoneOld, laptop));
    AorBindings sideB = new AorBindings(3, List.of(tablet, phoneNew));

    AorBindings merged = BindingsMergePolicy.union(sideA, sideB);
    AorBindings mergedOtherWay = BindingsMergePolicy.union(sideB, sideA);

    assertThat(merged.bindings()).containsExactlyInAnyOrder(phoneNew, laptop, tablet);
    assertThat(mergedOtherWay.bindings()).containsExactlyInAnyOrder(phoneNew, laptop, tablet);
    assertThat(merged.version()).isGreaterThan(7);
  }
}
