package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadinessStateTest {

  private final ReadinessState state = new ReadinessState();

  @Test
  void startsNotReadyWhileStarting() {
    assertThat(state.ready()).isFalse();
    assertThat(state.notReadyReason()).isEqualTo("starting");
  }

  @Test
  void flipsBetweenReadyAndNotReadyWithAReason() {
    state.markReady();
    assertThat(state.ready()).isTrue();

    state.markNotReady("pool quorum lost");
    assertThat(state.ready()).isFalse();
    assertThat(state.notReadyReason()).isEqualTo("pool quorum lost");

    state.markReady();
    assertThat(state.ready()).isTrue();
  }

  @Test
  void drainingIsFinal() {
    state.markReady();
    state.markDraining();
    state.markReady();
    state.markNotReady("something else");

    assertThat(state.ready()).isFalse();
    assertThat(state.draining()).isTrue();
    assertThat(state.notReadyReason()).isEqualTo("draining");
  }

  @Test
  void aBlankReasonStillSaysSomething() {
    state.markNotReady(" ");

    assertThat(state.ready()).isFalse();
    assertThat(state.notReadyReason()).isEqualTo("not ready");
  }
}
