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
 * @param minTransactionsForLag event-loop lag counts as overload only with at least this many
 *     transactions in flight: lag with (almost) nothing in flight is a GC or JIT pause or a busy
 *     host, not SIP load, and refusing clients would not relieve it (seen: 223 ms of lag right
 *     after start-up with 0 transactions turned a first REGISTER away)
 */
public record OverloadPolicy(
    int highWatermark,
    int lowWatermark,
    Duration maxEventLoopLag,
    int retryAfterSeconds,
    int minTransactionsForLag) {

  public OverloadPolicy {
    if (lowWatermark > highWatermark) {
      throw new IllegalArgumentException("lowWatermark > highWatermark");
    }
    if (minTransactionsForLag < 0) {
      throw new IllegalArgumentException("minTransactionsForLag < 0");
    }
  }

  /** A policy in which any sustained lag counts, whatever the load (tests of the lag probe). */
  public OverloadPolicy(
      int highWatermark, int lowWatermark, Duration maxEventLoopLag, int retryAfterSeconds) {
    this(highWatermark, lowWatermark, maxEventLoopLag, retryAfterSeconds, 0);
  }

  public static OverloadPolicy defaults() {
    return new OverloadPolicy(5000, 4000, Duration.ofMillis(200), 5, 100);
  }
}
