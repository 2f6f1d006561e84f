package io.parley.presence;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * The {@code presence} subscriptions of each presentity, pool-wide, for watcher info: a
 * subscription lives on the node of its watcher's flow, the presentity's {@code presence.winfo}
 * subscription perhaps on another. Standalone {@link InMemoryWatcherDirectory}; in a pool a
 * Hazelcast MultiMap/IMap keyed by presentity (entries of a lost node dropped by {@code nodeId}).
 */
public interface WatcherDirectory {

  /** Adds or replaces (by {@link WatcherEntry#id()}) an entry. */
  Future<Void> put(WatcherEntry entry);

  /** Removes the entry of subscription {@code id} of {@code presentity}. */
  Future<Void> remove(String presentity, String id);

  /** The unexpired entries of {@code presentity}. */
  Future<List<WatcherEntry>> watchersOf(String presentity, Instant now);
}
