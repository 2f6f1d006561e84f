package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalFlowIndexTest {

  private final LocalFlowIndex index = new LocalFlowIndex();

  @Test
  void anOlderResultArrivingLateDoesNotHideANewerBinding() {
    index.update("sip:alice@example.test", 2, Set.of("node-a/tcp-2"));
    index.update("sip:alice@example.test", 1, Set.of());

    assertThat(index.aorsOf("node-a/tcp-2")).containsExactly("sip:alice@example.test");
  }

  @Test
  void aNewerResultMovesTheAorBetweenFlows() {
    index.update("sip:alice@example.test", 1, Set.of("node-a/tcp-1"));
    index.update("sip:bob@example.test", 1, Set.of("node-a/tcp-1"));
    index.update("sip:alice@example.test", 2, Set.of("node-a/tcp-2"));

    assertThat(index.aorsOf("node-a/tcp-1")).containsExactly("sip:bob@example.test");
    assertThat(index.aorsOf("node-a/tcp-2")).containsExactly("sip:alice@example.test");
  }

  @Test
  void anAorWithoutBindingsOnOurFlowsIsForgotten() {
    index.update("sip:alice@example.test", 1, Set.of("node-a/tcp-1"));
    index.update("sip:alice@example.test", 2, Set.of());

    assertThat(index.aorsOf("node-a/tcp-1")).isEmpty();
    assertThat(index.trackedAors()).isZero();
  }

  @Test
  void afterTheAorsEntryWasDeletedRestartedVersionsStillAddFlows() {
    index.update("sip:alice@example.test", 5, Set.of("node-a/tcp-1"));
    index.update("sip:alice@example.test", 1, Set.of("node-a/tcp-2"));

    assertThat(index.aorsOf("node-a/tcp-2")).containsExactly("sip:alice@example.test");
  }

  @Test
  void aClosedFlowIsForgotten() {
    index.update("sip:alice@example.test", 1, Set.of("node-a/tcp-1"));
    index.forgetFlow("node-a/tcp-1");

    assertThat(index.aorsOf("node-a/tcp-1")).isEmpty();
  }
}
