package io.parley.sip.transaction;

import java.time.Duration;

/**
 * RFC 3261 timer base values.
 *
 * @param t1 RTT estimate (500 ms)
 * @param t2 maximum retransmit interval for non-INVITE requests and INVITE responses (4 s)
 * @param t4 maximum time a message remains in the network (5 s)
 * @param timerD wait time for response retransmissions after an INVITE failed (32 s, unreliable)
 */
public record SipTimerSettings(Duration t1, Duration t2, Duration t4, Duration timerD) {

  public static SipTimerSettings defaults() {
    return new SipTimerSettings(
        Duration.ofMillis(500),
        Duration.ofSeconds(4),
        Duration.ofSeconds(5),
        Duration.ofSeconds(32));
  }

  /** 64*T1: timers B, F, H, J, L, M. */
  public Duration timeout() {
    return t1.multipliedBy(64);
  }
}
