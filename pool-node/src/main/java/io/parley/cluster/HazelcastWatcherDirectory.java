package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.parley.presence.WatcherDirectory;
import io.parley.presence.WatcherEntry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;

/**
 * The pool's presence subscriptions per presentity (for watcher info), in the Hazelcast map {@value
 * #MAP}. A subscription lives on the member holding its watcher's connection; its entry here names
 * that member, so the entries of a departed member can be dropped ({@link #removeNode}).
 */
public final class HazelcastWatcherDirectory implements WatcherDirectory {

  public static final String MAP = "parley.watchers";

  private final IMap<String, LinkedHashMap<String, WatcherEntry>> map;
  private final ExecutorService scans = Executors.newVirtualThreadPerTaskExecutor();

  public HazelcastWatcherDirectory(HazelcastInstance hz) {
    this.map = hz.getMap(MAP);
  }

  record Put(WatcherEntry entry)
      implements EntryProcessor<String, LinkedHashMap<String, WatcherEntry>, Void> {
    @Override
    public @Nullable Void process(Map.Entry<String, LinkedHashMap<String, WatcherEntry>> e) {
      LinkedHashMap<String, WatcherEntry> m =
          e.getValue() == null ? new LinkedHashMap<>() : new LinkedHashMap<>(e.getValue());
      m.put(entry.id(), entry);
      e.setValue(m);
      return null;
    }
  }

  record Remove(String id)
      implements EntryProcessor<String, LinkedHashMap<String, WatcherEntry>, Void> {
    @Override
    public @Nullable Void process(Map.Entry<String, LinkedHashMap<String, WatcherEntry>> e) {
      if (e.getValue() != null && e.getValue().containsKey(id)) {
        LinkedHashMap<String, WatcherEntry> m = new LinkedHashMap<>(e.getValue());
        m.remove(id);
        e.setValue(m.isEmpty() ? null : m);
      }
      return null;
    }
  }

  /** Drops the entries of a departed member, and expired ones; true when any went. */
  record DropNode(String nodeId, Instant now)
      implements EntryProcessor<String, LinkedHashMap<String, WatcherEntry>, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, LinkedHashMap<String, WatcherEntry>> e) {
      if (e.getValue() == null) {
        return false;
      }
      LinkedHashMap<String, WatcherEntry> m = new LinkedHashMap<>(e.getValue());
      boolean changed =
          m.values().removeIf(w -> nodeId.equals(w.nodeId()) || !w.expiresAt().isAfter(now));
      if (changed) {
        e.setValue(m.isEmpty() ? null : m);
      }
      return changed;
    }
  }

  @Override
  public Future<Void> put(WatcherEntry entry) {
    return HazelcastFutures.async(() -> map.submitToKey(entry.presentity(), new Put(entry)));
  }

  @Override
  public Future<Void> remove(String presentity, String id) {
    return HazelcastFutures.async(() -> map.submitToKey(presentity, new Remove(id)));
  }

  @Override
  public Future<List<WatcherEntry>> watchersOf(String presentity, Instant now) {
    return HazelcastFutures.async(() -> map.getAsync(presentity))
        .map(
            m -> {
              List<WatcherEntry> out = new ArrayList<>();
              if (m != null) {
                for (WatcherEntry w : m.values()) {
                  if (w.expiresAt().isAfter(now)) {
                    out.add(w);
                  }
                }
              }
              return out;
            });
  }

  /** Drops the subscriptions held by {@code nodeId}; returns the presentities concerned. */
  public Future<Set<String>> removeNode(String nodeId, Instant now) {
    Context context = Vertx.currentContext();
    CompletableFuture<Set<String>> done =
        CompletableFuture.supplyAsync(
            () -> {
              Set<String> changed = new HashSet<>();
              map.executeOnEntries(new DropNode(nodeId, now))
                  .forEach(
                      (k, v) -> {
                        if (Boolean.TRUE.equals(v)) {
                          changed.add(k);
                        }
                      });
              return changed;
            },
            scans);
    return HazelcastFutures.async(() -> done, context);
  }
}
