package io.parley.presence;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link WatcherDirectory} of a one-node pool. */
public final class InMemoryWatcherDirectory implements WatcherDirectory {

  private final ConcurrentHashMap<String, Map<String, WatcherEntry>> byPresentity =
      new ConcurrentHashMap<>();

  @Override
  public Future<Void> put(WatcherEntry entry) {
    byPresentity
        .computeIfAbsent(entry.presentity(), k -> new ConcurrentHashMap<>())
        .put(entry.id(), entry);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> remove(String presentity, String id) {
    byPresentity.computeIfPresent(
        presentity,
        (k, m) -> {
          m.remove(id);
          return m.isEmpty() ? null : m;
        });
    return Future.succeededFuture();
  }

  @Override
  public Future<List<WatcherEntry>> watchersOf(String presentity, Instant now) {
    Map<String, WatcherEntry> m = byPresentity.get(presentity);
    if (m == null) {
      return Future.succeededFuture(List.of());
    }
    return Future.succeededFuture(
        m.values().stream()
            .filter(e -> e.expiresAt().isAfter(now))
            .sorted(java.util.Comparator.comparing(WatcherEntry::watcher))
            .toList());
  }
}
