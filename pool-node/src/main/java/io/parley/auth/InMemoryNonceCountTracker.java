package io.parley.auth;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded LRU of nonce → highest nc. Entries older than the nonce lifetime are useless (the nonce
 * is stale anyway) and the eldest entry is evicted when full. Evicting a live entry re-opens a
 * replay window for that nonce only until it expires; size the tracker above the expected number of
 * live nonces (about registrations per lifetime). Thread-safe (a short lock per call).
 */
public final class InMemoryNonceCountTracker implements NonceCountTracker {

  private record Seen(long highest, long firstSeenMillis) {}

  private final int maxEntries;
  private final long lifetimeMillis;
  private final Clock clock;
  private final LinkedHashMap<String, Seen> entries;

  public InMemoryNonceCountTracker(int maxEntries, Duration nonceLifetime, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.maxEntries = maxEntries;
    this.lifetimeMillis = nonceLifetime.toMillis();
    this.clock = clock;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > InMemoryNonceCountTracker.this.maxEntries
                || isExpired(eldest.getValue(), InMemoryNonceCountTracker.this.clock.millis());
          }
        };
  }

  @Override
  public synchronized boolean advance(String nonce, long nc) {
    long now = clock.millis();
    purgeExpired(now);
    Seen e = entries.get(nonce);
    if (e != null && !isExpired(e, now) && nc <= e.highest()) {
      return false;
    }
    long firstSeen = e == null || isExpired(e, now) ? now : e.firstSeenMillis();
    entries.put(nonce, new Seen(nc, firstSeen));
    return true;
  }

  /** Drops expired entries from the least recently used end; amortised O(1) per call. */
  private void purgeExpired(long now) {
    var it = entries.values().iterator();
    while (it.hasNext() && isExpired(it.next(), now)) {
      it.remove();
    }
  }

  /** Number of tracked nonces (for metrics and tests). */
  public synchronized int size() {
    return entries.size();
  }

  private boolean isExpired(Seen e, long now) {
    // A nonce is at most lifetime old when first seen, so 2x lifetime is safely past its stale
    // date.
    return now - e.firstSeenMillis() > 2 * lifetimeMillis;
  }
}
