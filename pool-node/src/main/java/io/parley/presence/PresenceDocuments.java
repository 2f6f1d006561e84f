package io.parley.presence;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The publications of every presentity (RFC 3903 event state: ETag → document, expiry). Pool-wide
 * state: standalone {@link InMemoryPresenceDocuments}, in a pool a Hazelcast IMap keyed by
 * presentity whose {@link #apply} runs as an entry processor. Implementations are safe to call from
 * any thread; futures may complete on any thread.
 */
public interface PresenceDocuments {

  /** Applies one PUBLISH atomically per presentity. */
  Future<PublishOutcome> apply(String presentity, PublicationChange change);

  /** The unexpired publications of {@code presentity} at {@code now} (any order). */
  Future<List<Publication>> current(String presentity, Instant now);

  /** Drops publications expired at {@code now}; returns the presentities whose view changed. */
  Future<Set<String>> purgeExpired(Instant now);
}
