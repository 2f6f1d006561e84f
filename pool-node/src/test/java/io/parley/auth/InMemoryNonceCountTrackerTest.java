package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryNonceCountTrackerTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void onlyStrictlyIncreasingCountsPass() {
    var tracker = new InMemoryNonceCountTracker(10, Duration.ofSeconds(300), clock);
    assertThat(tracker.advance("n", 1)).isTrue();
    assertThat(tracker.advance("n", 1)).isFalse();
    assertThat(tracker.advance("n", 5)).isTrue();
    assertThat(tracker.advance("n", 4)).isFalse();
    assertThat(tracker.advance("other", 1)).isTrue();
  }

  @Test
  void sizeStaysBoundedAndExpiredEntriesGo() {
    var tracker = new InMemoryNonceCountTracker(3, Duration.ofSeconds(300), clock);
    for (int i = 0; i < 50; i++) {
      tracker.advance("n" + i, 1);
    }
    assertThat(tracker.size()).isEqualTo(3);
    clock.advance(Duration.ofSeconds(601));
    tracker.advance("fresh", 1);
    assertThat(tracker.size()).isLessThanOrEqualTo(2);
  }
}
