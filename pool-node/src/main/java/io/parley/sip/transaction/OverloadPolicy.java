package io.parley.sip.transaction;

import java.time.Duration;

/**
 * When new out-of-dialog requests are refused with 503 + Retry-After.
 *
 * @param highWatermark transactions in flight at which shedding starts
 * @param lowWatermark shedding stops once the count is back at or below this
 * @param maxEventLoopLag event-loop lag above which the node counts as saturated; ZERO disables the
 *     lag probe
 * @param retryAfterSeconds value of Retry-After in the 503
 */
public record OverloadPolicy(
    int highWatermark, int lowWatermark, Duration maxEventLoopLag, int retryAfterSeconds) {

  public OverloadPolicy {
    if (lowWatermark > highWatermark) {
      throw new IllegalArgumentException("lowWatermark > highWatermark");
    }
  }

  public static OverloadPolicy defaults() {
    return new OverloadPolicy(5000, 4000, Duration.ofMillis(200), 5);
  }
}
