package io.parley.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Throttles failed authentication attempts per source (usually the client IP). After {@code
 * maxFailures} failures within {@code window}, the source is refused for {@code baseLockout}; each
 * further lockout before the record is forgotten doubles the time, up to {@code maxLockout}. The
 * caller answers a refused source with 403, or 503 with {@code Retry-After: }{@link
 * #retryAfterSeconds}.
 *
 * <p>Memory is bounded: at most {@code maxSources} records, least recently used evicted first (an
 * attacker who cycles through more sources than that only resets counters of idle ones). Per node,
 * like the nonce-count tracker. Thread-safe.
 */
public final class AuthThrottle {

  private static final class Record {
    int failures;
    long windowStart;
    long blockedUntil;
    int lockouts;
  }

  private final int maxFailures;
  private final long windowMillis;
  private final long baseLockoutMillis;
  private final long maxLockoutMillis;
  private final Clock clock;
  private final LinkedHashMap<String, Record> records;

  public AuthThrottle(
      int maxFailures,
      Duration window,
      Duration baseLockout,
      Duration maxLockout,
      int maxSources,
      Clock clock) {
    if (maxFailures < 1 || maxSources < 1) {
      throw new IllegalArgumentException("maxFailures and maxSources must be positive");
    }
    this.maxFailures = maxFailures;
    this.windowMillis = window.toMillis();
    this.baseLockoutMillis = baseLockout.toMillis();
    this.maxLockoutMillis = Math.max(maxLockout.toMillis(), baseLockout.toMillis());
    this.clock = clock;
    this.records =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Record> eldest) {
            return size() > maxSources;
          }
        };
  }

  /** Defaults: 5 failures per minute → 30 s lockout, doubling up to 15 min, 100 000 sources. */
  public static AuthThrottle withDefaults(Clock clock) {
    return new AuthThrottle(
        5, Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofMinutes(15), 100_000, clock);
  }

  /** Whether an authentication attempt from {@code source} may be evaluated now. */
  public synchronized boolean allow(String source) {
    Record r = records.get(source);
    return r == null || clock.millis() >= r.blockedUntil;
  }

  /** Seconds until {@code source} may try again (0 if allowed), rounded up, for Retry-After. */
  public synchronized long retryAfterSeconds(String source) {
    Record r = records.get(source);
    if (r == null) {
      return 0;
    }
    long remaining = r.blockedUntil - clock.millis();
    return remaining <= 0 ? 0 : (remaining + 999) / 1000;
  }

  /** Counts a failed attempt (wrong password, unknown user, invalid nonce with a response). */
  public synchronized void recordFailure(String source) {
    long now = clock.millis();
    Record r = records.computeIfAbsent(source, s -> new Record());
    if (now - r.windowStart > windowMillis) {
      r.windowStart = now;
      r.failures = 0;
      // A source that behaved for a long time gets back to the base lockout.
      if (now - r.blockedUntil > maxLockoutMillis) {
        r.lockouts = 0;
      }
    }
    r.failures++;
    if (r.failures >= maxFailures) {
      long lockout = baseLockoutMillis << Math.min(r.lockouts, 20);
      r.blockedUntil = now + Math.min(lockout, maxLockoutMillis);
      r.lockouts++;
      r.failures = 0;
      r.windowStart = now;
    }
  }

  /** A successful authentication forgets the source's failures. */
  public synchronized void recordSuccess(String source) {
    records.remove(source);
  }

  /** Number of sources tracked (metrics, tests). */
  public synchronized int trackedSources() {
    return records.size();
  }
}
