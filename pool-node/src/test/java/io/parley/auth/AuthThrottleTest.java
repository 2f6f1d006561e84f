package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final AuthThrottle throttle =
      new AuthThrottle(
          3, Duration.ofMinutes(1), Duration.ofSeconds(10), Duration.ofSeconds(35), 4, clock);

  @Test
  void sourceIsBlockedAfterRepeatedFailuresAndReleasedLater() {
    throttle.recordFailure("10.0.0.1");
    throttle.recordFailure("10.0.0.1");
    assertThat(throttle.allow("10.0.0.1")).isTrue();
    throttle.recordFailure("10.0.0.1");
    assertThat(throttle.allow("10.0.0.1")).isFalse();
    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isEqualTo(10);
    assertThat(throttle.allow("10.0.0.2")).isTrue();

    clock.advance(Duration.ofMillis(9_500));
    assertThat(throttle.allow("10.0.0.1")).isFalse();
    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isEqualTo(1);
    clock.advance(Duration.ofMillis(500));
    assertThat(throttle.allow("10.0.0.1")).isTrue();
    assertThat(throttle.retryAfterSeconds("10.0.0.1")).isZero();
  }

  @Test
  void repeatedLockoutsDoubleUpToTheCap() {
    long[] expected = {10, 20, 35, 35};
    for (long seconds : expected) {
      for (int i = 0; i < 3; i++) {
        throttle.recordFailure("s");
      }
      assertThat(throttle.retryAfterSeconds("s")).isEqualTo(seconds);
      clock.advance(Duration.ofSeconds(seconds));
      assertThat(throttle.allow("s")).isTrue();
    }
  }

  @Test
  void failuresSpreadBeyondTheWindowDoNotBlock() {
    for (int i = 0; i < 10; i++) {
      throttle.recordFailure("slow");
      clock.advance(Duration.ofSeconds(40));
    }
    assertThat(throttle.allow("slow")).isTrue();
  }

  @Test
  void successForgetsFailures() {
    throttle.recordFailure("s");
    throttle.recordFailure("s");
    throttle.recordSuccess("s");
    throttle.recordFailure("s");
    assertThat(throttle.allow("s")).isTrue();
  }

  @Test
  void memoryIsBoundedByMaxSources() {
    for (int i = 0; i < 100; i++) {
      throttle.recordFailure("10.0.0." + i);
    }
    assertThat(throttle.trackedSources()).isEqualTo(4);
  }
}
