package io.parley.sip.transaction;

import java.time.Duration;

/** Clock and scheduler of the transaction layer; a fake in tests, Vert.x timers in production. */
public interface SipTimers {

  /** Monotonic milliseconds. */
  long nowMillis();

  /** Runs the task once after the delay, on the transaction layer's thread. */
  Cancellable schedule(Duration delay, Runnable task);

  /** Handle of a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
