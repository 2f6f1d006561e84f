package io.parley.testing;

import io.parley.sip.transaction.SipTimers;
import java.time.Duration;
import java.util.PriorityQueue;

/** Fake clock and scheduler: time moves only when a test calls {@link #advance(Duration)}. */
public final class FakeSipTimers implements SipTimers {

  private record Task(long due, long seq, Runnable run, boolean[] cancelled)
      implements Comparable<Task> {
    @Override
    public int compareTo(Task o) {
      int c = Long.compare(due, o.due);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now;
  private long seq;

  @Override
  public long nowMillis() {
    return now;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    boolean[] cancelled = {false};
    queue.add(new Task(now + delay.toMillis(), seq++, task, cancelled));
    return () -> cancelled[0] = true;
  }

  /** Moves the clock forward, running every task that falls due, in order. */
  public void advance(Duration d) {
    long target = now + d.toMillis();
    while (!queue.isEmpty() && queue.peek().due() <= target) {
      Task t = queue.poll();
      now = Math.max(now, t.due());
      if (!t.cancelled()[0]) {
        t.run().run();
      }
    }
    now = target;
  }

  /** Moves the clock without running anything (simulates a blocked event loop). */
  public void jump(Duration d) {
    now += d.toMillis();
  }

  /** Number of live scheduled tasks. */
  public long pending() {
    return queue.stream().filter(t -> !t.cancelled()[0]).count();
  }
}
