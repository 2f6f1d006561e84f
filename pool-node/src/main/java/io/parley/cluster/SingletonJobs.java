package io.parley.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pool-wide chores (purging expired bindings, sweeping orphans) that must run on one member only.
 * Every member keeps a timer per job; at each tick only the oldest member runs it, so when that
 * member dies the next oldest takes over at its next tick with no hand-over protocol. A run that is
 * still going when the next tick comes is not started again on this member. During a split brain
 * each side has an oldest member, so jobs must be idempotent (they are: they only delete what is
 * already dead).
 */
public final class SingletonJobs implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SingletonJobs.class);

  private final Vertx vertx;
  private final PoolMembership membership;
  private final Map<String, Long> timers = new ConcurrentHashMap<>();

  public SingletonJobs(Vertx vertx, PoolMembership membership) {
    this.vertx = vertx;
    this.membership = membership;
  }

  /** Runs {@code job} every {@code every} on whichever member is the oldest at that moment. */
  public void schedule(String name, Duration every, Supplier<Future<?>> job) {
    AtomicBoolean running = new AtomicBoolean();
    long timer = vertx.setPeriodic(Math.max(1, every.toMillis()), id -> tick(name, job, running));
    Long previous = timers.put(name, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  private void tick(String name, Supplier<Future<?>> job, AtomicBoolean running) {
    try {
      if (!membership.isOldest() || !running.compareAndSet(false, true)) {
        return;
      }
    } catch (RuntimeException e) {
      log.debug("singleton job {} skipped: membership unavailable", name, e);
      return;
    }
    Future<?> run;
    try {
      run = job.get();
    } catch (RuntimeException e) {
      run = Future.failedFuture(e);
    }
    run.onComplete(
        done -> {
          running.set(false);
          if (done.failed()) {
            log.warn("singleton job {} failed", name, done.cause());
          }
        });
  }

  /** Stops every job's timer (a run in progress finishes). */
  @Override
  public void close() {
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
  }
}
