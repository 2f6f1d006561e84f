package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import io.parley.presence.InMemoryPresenceDocuments;
import io.parley.presence.PresenceDocuments;
import io.parley.presence.Publication;
import io.parley.presence.PublicationChange;
import io.parley.presence.PublishOutcome;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.Serializable;
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
 * The pool's publications (RFC 3903 event state) in the Hazelcast map {@value #MAP}, one entry per
 * presentity. Each PUBLISH runs as an entry processor on the entry's owner with the same algorithm
 * as the in-memory store, so concurrent PUBLISHes of one presentity on different members are
 * serialised. Every publication remembers the member that accepted it: when that member dies, its
 * devices' publications go with it ({@link #removeNode}) and their users turn offline for watchers
 * everywhere, instead of staying "open" until their expiry.
 */
public final class HazelcastPresenceDocuments implements PresenceDocuments {

  public static final String MAP = "parley.presence";

  private final IMap<String, Publications> map;
  private final String selfNodeId;
  private final ExecutorService scans = Executors.newVirtualThreadPerTaskExecutor();

  public HazelcastPresenceDocuments(HazelcastInstance hz, String selfNodeId) {
    this.map = hz.getMap(MAP);
    this.selfNodeId = selfNodeId;
  }

  /** One presentity's publications by entity tag, and the member that accepted each. */
  static final class Publications implements Serializable {
    private static final long serialVersionUID = 2L;
    final LinkedHashMap<String, Publication> byEtag;
    final LinkedHashMap<String, String> nodeByEtag;
    // see PublishOutcome.Snapshot#version
    long version;

    Publications(LinkedHashMap<String, Publication> byEtag, LinkedHashMap<String, String> nodes) {
      this.byEtag = byEtag;
      this.nodeByEtag = nodes;
    }

    Publications copy() {
      Publications c =
          new Publications(new LinkedHashMap<>(byEtag), new LinkedHashMap<>(nodeByEtag));
      c.version = version;
      return c;
    }

    /** Drops node entries of ETags that are gone. */
    void tidy() {
      nodeByEtag.keySet().retainAll(byEtag.keySet());
    }
  }

  /** One PUBLISH, applied where the entry lives. */
  record Apply(PublicationChange change, String nodeId)
      implements EntryProcessor<String, Publications, PublishOutcome> {
    @Override
    public PublishOutcome process(Map.Entry<String, Publications> entry) {
      Publications p =
          entry.getValue() == null
              ? new Publications(new LinkedHashMap<>(), new LinkedHashMap<>())
              : entry.getValue().copy();
      PublishOutcome outcome = InMemoryPresenceDocuments.applyTo(entry.getKey(), p.byEtag, change);
      if (outcome instanceof PublishOutcome.Applied a) {
        if (a.publication() != null) {
          p.nodeByEtag.put(a.publication().etag(), nodeId);
        }
        p.version = PublishOutcome.Snapshot.next(p.version, change.now());
        if (a.viewChanged()) {
          // The set afterwards travels back with the outcome: the publishing member composes the
          // view once and sends it to every member with the change event.
          List<Publication> live = new ArrayList<>();
          for (Publication pub : p.byEtag.values()) {
            if (!pub.expired(change.now())) {
              live.add(pub);
            }
          }
          outcome =
              new PublishOutcome.Applied(
                  a.publication(), true, new PublishOutcome.Snapshot(p.version, live));
        }
      }
      p.tidy();
      entry.setValue(p.byEtag.isEmpty() ? null : p);
      return outcome;
    }
  }

  /** Drops expired publications (or those of a departed member); returns true if any went. */
  record Drop(Instant now, @Nullable String deadNode)
      implements EntryProcessor<String, Publications, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, Publications> entry) {
      Publications p = entry.getValue();
      if (p == null) {
        return false;
      }
      Publications left = p.copy();
      left.byEtag
          .entrySet()
          .removeIf(
              e ->
                  e.getValue().expired(now)
                      || (deadNode != null && deadNode.equals(p.nodeByEtag.get(e.getKey()))));
      if (left.byEtag.size() == p.byEtag.size()) {
        return false;
      }
      left.tidy();
      left.version = PublishOutcome.Snapshot.next(p.version, now);
      entry.setValue(left.byEtag.isEmpty() ? null : left);
      return true;
    }
  }

  @Override
  public Future<PublishOutcome> apply(String presentity, PublicationChange change) {
    return HazelcastFutures.async(() -> map.submitToKey(presentity, new Apply(change, selfNodeId)));
  }

  @Override
  public Future<List<Publication>> current(String presentity, Instant now) {
    return HazelcastFutures.async(() -> map.getAsync(presentity))
        .map(
            p -> {
              List<Publication> out = new ArrayList<>();
              if (p != null) {
                for (Publication pub : p.byEtag.values()) {
                  if (!pub.expired(now)) {
                    out.add(pub);
                  }
                }
              }
              return out;
            });
  }

  @Override
  public Future<Set<String>> purgeExpired(Instant now) {
    return scan(new Drop(now, null));
  }

  /** Drops every publication accepted by {@code nodeId}; returns the presentities changed. */
  public Future<Set<String>> removeNode(String nodeId, Instant now) {
    return scan(new Drop(now, nodeId));
  }

  private Future<Set<String>> scan(Drop drop) {
    Context context = Vertx.currentContext();
    CompletableFuture<Set<String>> done =
        CompletableFuture.supplyAsync(
            () -> {
              Set<String> changed = new HashSet<>();
              // The expiry sweep only touches entries holding an expired publication (selected by
              // a field of the Compact data); a departed member's publications need the full scan.
              Map<String, Boolean> results =
                  drop.deadNode() == null
                      ? map.executeOnEntries(
                          drop,
                          Predicates.lessEqual(
                              PresenceSerializers.EARLIEST_EXPIRY, drop.now().toEpochMilli()))
                      : map.executeOnEntries(drop);
              results.forEach(
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
