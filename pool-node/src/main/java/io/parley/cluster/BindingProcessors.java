package io.parley.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import io.parley.registrar.Binding;
import io.parley.registrar.RegistrationRejectedException;
import java.io.Serial;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The entry processors that change {@code parley.bindings} and {@code parley.contacts} where the
 * data lives. Each is a record of plain values (no captured state) so it serializes the same way in
 * every member; each carries the caller's {@code now} so the primary and its backup compute the
 * same result.
 */
final class BindingProcessors {

  /**
   * How long an entry outlives its latest binding: lookups never show expired bindings, so the
   * margin only keeps expired bindings countable for {@code purgeExpired} for a while.
   */
  static final Duration TTL_MARGIN = Duration.ofSeconds(60);

  private BindingProcessors() {}

  /** What {@link ApplyChange} answered. */
  sealed interface ApplyOutcome extends Serializable {}

  /** The change was applied (or, for {@link RemoveFlow}, the state after it). */
  record Applied(long version, List<StoredBinding> bindings) implements ApplyOutcome {
    @Serial private static final long serialVersionUID = 1L;

    Applied {
      bindings = List.copyOf(bindings);
    }

    List<Binding> toBindings() {
      List<Binding> out = new ArrayList<>(bindings.size());
      for (StoredBinding b : bindings) {
        out.add(b.toBinding());
      }
      return List.copyOf(out);
    }
  }

  /**
   * The change was refused; nothing was written. The kind travels as its name: the registrar's enum
   * is outside the packages the deserialization filter admits.
   */
  record Rejected(String kindName, String message) implements ApplyOutcome {
    @Serial private static final long serialVersionUID = 1L;

    Rejected(RegistrationRejectedException.Kind kind, String message) {
      this(kind.name(), message);
    }

    RegistrationRejectedException.Kind kind() {
      return RegistrationRejectedException.Kind.valueOf(kindName);
    }
  }

  /** One REGISTER, with exactly the semantics of {@code InMemoryLocationStore.apply}. */
  record ApplyChange(
      boolean removeAll,
      String callId,
      long cseq,
      Instant now,
      List<StoredBinding> upserts,
      List<StoredBinding> removals,
      int maxBindings)
      implements EntryProcessor<String, AorBindings, ApplyOutcome> {
    @Serial private static final long serialVersionUID = 1L;

    ApplyChange {
      upserts = List.copyOf(upserts);
      removals = List.copyOf(removals);
    }

    @Override
    public ApplyOutcome process(Map.Entry<String, AorBindings> entry) {
      AorBindings current = entry.getValue();
      LinkedHashMap<String, StoredBinding> next = new LinkedHashMap<>();
      if (current != null) {
        for (StoredBinding b : current.bindings()) {
          if (!b.expired(now)) {
            next.put(key(b), b);
          }
        }
      }
      if (removeAll) {
        for (StoredBinding b : next.values()) {
          Rejected stale = staleness(b);
          if (stale != null) {
            return stale;
          }
        }
        next.clear();
      } else {
        for (StoredBinding b : removals) {
          StoredBinding old = next.get(key(b));
          Rejected stale = old == null ? null : staleness(old);
          if (stale != null) {
            return stale;
          }
        }
        for (StoredBinding b : upserts) {
          StoredBinding old = next.get(key(b));
          Rejected stale = old == null ? null : staleness(old);
          if (stale != null) {
            return stale;
          }
        }
        for (StoredBinding b : removals) {
          next.remove(key(b));
        }
        for (StoredBinding b : upserts) {
          next.put(key(b), b);
        }
        if (next.size() > maxBindings) {
          return new Rejected(
              RegistrationRejectedException.Kind.TOO_MANY_BINDINGS,
              "more than " + maxBindings + " bindings for " + entry.getKey());
        }
      }
      return store(entry, current, List.copyOf(next.values()), now);
    }

    private @Nullable Rejected staleness(StoredBinding existing) {
      if (existing.callId().equals(callId) && cseq <= existing.cseq()) {
        return new Rejected(
            RegistrationRejectedException.Kind.OUT_OF_ORDER,
            "CSeq " + cseq + " not higher than " + existing.cseq() + " for Call-ID " + callId);
      }
      return null;
    }
  }

  /** A closed connection: drop its bindings from one AOR; answers the AOR's state afterwards. */
  record RemoveFlow(String flowId, Instant now)
      implements EntryProcessor<String, AorBindings, Applied> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Applied process(Map.Entry<String, AorBindings> entry) {
      AorBindings current = entry.getValue();
      if (current == null) {
        return new Applied(0, List.of());
      }
      List<StoredBinding> next = new ArrayList<>(current.bindings());
      if (!next.removeIf(b -> b.flowId().equals(flowId))) {
        return new Applied(current.version(), current.bindings());
      }
      return store(entry, current, next, now);
    }
  }

  /**
   * A departed node: drop its bindings; answers how many (null when none, to keep replies small).
   */
  record RemoveNode(String nodeId, Instant now)
      implements EntryProcessor<String, AorBindings, @Nullable Integer> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public @Nullable Integer process(Map.Entry<String, AorBindings> entry) {
      AorBindings current = entry.getValue();
      if (current == null) {
        return null;
      }
      List<StoredBinding> next = new ArrayList<>(current.bindings());
      next.removeIf(b -> b.nodeId().equals(nodeId));
      int removed = current.bindings().size() - next.size();
      if (removed == 0) {
        return null;
      }
      store(entry, current, next, now);
      return removed;
    }
  }

  /**
   * Drops bindings of nodes not in {@code liveNodeIds} that were written before {@code
   * writtenBefore} (a node that joined after the caller read the member list has only fresh
   * bindings, which this spares); answers how many (null when none).
   */
  record RemoveOrphans(Set<String> liveNodeIds, Instant writtenBefore, Instant now)
      implements EntryProcessor<String, AorBindings, @Nullable Integer> {
    @Serial private static final long serialVersionUID = 1L;

    RemoveOrphans {
      liveNodeIds = Set.copyOf(liveNodeIds);
    }

    @Override
    public @Nullable Integer process(Map.Entry<String, AorBindings> entry) {
      AorBindings current = entry.getValue();
      if (current == null) {
        return null;
      }
      List<StoredBinding> next = new ArrayList<>(current.bindings());
      next.removeIf(
          b -> !liveNodeIds.contains(b.nodeId()) && b.registeredAt().isBefore(writtenBefore));
      int removed = current.bindings().size() - next.size();
      if (removed == 0) {
        return null;
      }
      store(entry, current, next, now);
      return removed;
    }
  }

  /** Drop bindings expired at {@code now}; answers how many (null when none). */
  record PurgeExpired(Instant now)
      implements EntryProcessor<String, AorBindings, @Nullable Integer> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public @Nullable Integer process(Map.Entry<String, AorBindings> entry) {
      AorBindings current = entry.getValue();
      if (current == null) {
        return null;
      }
      List<StoredBinding> next = new ArrayList<>(current.bindings());
      next.removeIf(b -> b.expired(now));
      int removed = current.bindings().size() - next.size();
      if (removed == 0) {
        return null;
      }
      store(entry, current, next, now);
      return removed;
    }
  }

  /**
   * Records that {@code aor} holds a binding with this contact until {@code expiresAt}. The index
   * only ever extends an AOR's expiry and is checked against the bindings on every read, so a stale
   * entry costs one extra lookup and a missing one cannot happen through reordering.
   */
  record IndexContact(String aor, Instant expiresAt, Instant now)
      implements EntryProcessor<String, ContactIndex, @Nullable Void> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public @Nullable Void process(Map.Entry<String, ContactIndex> entry) {
      Map<String, Instant> next = new HashMap<>();
      ContactIndex current = entry.getValue();
      if (current != null) {
        current
            .aors()
            .forEach(
                (a, until) -> {
                  if (until.isAfter(now)) {
                    next.put(a, until);
                  }
                });
      }
      next.merge(aor, expiresAt, (a, b) -> a.isAfter(b) ? a : b);
      Instant latest = Instant.MIN;
      for (Instant until : next.values()) {
        latest = until.isAfter(latest) ? until : latest;
      }
      setWithTtl(entry, new ContactIndex(next), latest, now);
      return null;
    }
  }

  /** The contact index value: AOR → until when it may hold a binding with that contact. */
  record ContactIndex(Map<String, Instant> aors) implements Serializable {
    @Serial private static final long serialVersionUID = 1L;

    ContactIndex {
      aors = Map.copyOf(aors);
    }
  }

  static String key(StoredBinding b) {
    return b.toBinding().key();
  }

  /** Writes (or deletes, when empty) the AOR's bindings with a TTL following the latest expiry. */
  private static Applied store(
      Map.Entry<String, AorBindings> entry,
      @Nullable AorBindings current,
      List<StoredBinding> next,
      Instant now) {
    long version = (current == null ? 0 : current.version()) + 1;
    if (next.isEmpty()) {
      entry.setValue(null);
      return new Applied(version, List.of());
    }
    AorBindings value = new AorBindings(version, next);
    setWithTtl(entry, value, value.latestExpiry(), now);
    return new Applied(version, next);
  }

  private static <V> void setWithTtl(
      Map.Entry<String, V> entry, V value, Instant latestExpiry, Instant now) {
    long ttl = Math.max(0, latestExpiry.toEpochMilli() - now.toEpochMilli());
    // Hazelcast reads a TTL of 0 as "forever"; the margin keeps it positive.
    ttl += TTL_MARGIN.toMillis();
    ((ExtendedMapEntry<String, V>) entry).setValue(value, ttl, TimeUnit.MILLISECONDS);
  }
}
