package io.parley.sip.transaction;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * {@link SipTimers} over {@code vertx.setTimer}. Timers fire on the context that created this
 * object when there is one, so they run on the same event loop as the transport's handlers.
 */
public final class VertxSipTimers implements SipTimers {

  private final Vertx vertx;
  private final Context context;

  public VertxSipTimers(Vertx vertx) {
    this(vertx, vertx.getOrCreateContext());
  }

  public VertxSipTimers(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
  }

  @Override
  public long nowMillis() {
    return System.nanoTime() / 1_000_000L;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    long ms = Math.max(1, delay.toMillis());
    if (Vertx.currentContext() == context) {
      long id = vertx.setTimer(ms, t -> task.run());
      return () -> vertx.cancelTimer(id);
    }
    // Called off the layer's context: create the timer on it so the task runs there.
    long[] id = {-1};
    boolean[] cancelled = {false};
    context.runOnContext(
        v -> {
          if (!cancelled[0]) {
            id[0] = vertx.setTimer(ms, t -> task.run());
          }
        });
    return () ->
        context.runOnContext(
            v -> {
              cancelled[0] = true;
              if (id[0] >= 0) {
                vertx.cancelTimer(id[0]);
              }
            });
  }
}
