package io.parley.registrar;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The standalone node's location store: plain maps behind one lock. Every operation is short and
 * O(bindings of one AOR), so a single lock is cheaper than reasoning about three concurrent indexes
 * (by AOR, by flow, by contact) staying consistent. Results are completed futures.
 */
public final class InMemoryLocationStore implements LocationStore {

  private final Clock clock;
  private final Object lock = new Object();
  // aor -> (binding key -> binding), insertion order kept so 200 OK lists contacts stably
  private final Map<String, LinkedHashMap<String, Binding>> byAor = new HashMap<>();
  private final Map<String, Set<String>> aorsByFlow = new HashMap<>();
  private final Map<String, Set<String>> aorsByContact = new HashMap<>();

  public InMemoryLocationStore(Clock clock) {
    this.clock = clock;
  }

  public InMemoryLocationStore() {
    this(Clock.systemUTC());
  }

  @Override
  public Future<List<Binding>> lookup(String aor) {
    Instant now = clock.instant();
    synchronized (lock) {
      return Future.succeededFuture(live(byAor.get(aor), now));
    }
  }

  @Override
  public Future<List<Binding>> apply(String aor, RegistrationChange change) {
    try {
      return applyLocked(aor, change);
    } catch (RegistrationRejectedException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<List<Binding>> applyLocked(String aor, RegistrationChange change) {
    synchronized (lock) {
      LinkedHashMap<String, Binding> current = byAor.getOrDefault(aor, new LinkedHashMap<>());
      LinkedHashMap<String, Binding> next = new LinkedHashMap<>();
      Instant now = change.now();
      for (Map.Entry<String, Binding> e : current.entrySet()) {
        if (!e.getValue().expired(now)) {
          next.put(e.getKey(), e.getValue());
        }
      }
      switch (change) {
        case RegistrationChange.RemoveAll all -> {
          for (Binding b : next.values()) {
            rejectIfStale(b, all.callId(), all.cseq());
          }
          next.clear();
        }
        case RegistrationChange.Update update -> {
          for (Binding b : update.removals()) {
            Binding old = next.get(b.key());
            if (old != null) {
              rejectIfStale(old, update.callId(), update.cseq());
            }
          }
          for (Binding b : update.upserts()) {
            Binding old = next.get(b.key());
            if (old != null) {
              rejectIfStale(old, update.callId(), update.cseq());
            }
          }
          for (Binding b : update.removals()) {
            next.remove(b.key());
          }
          for (Binding b : update.upserts()) {
            next.put(b.key(), b);
          }
          if (next.size() > update.maxBindings()) {
            return Future.failedFuture(
                new RegistrationRejectedException(
                    RegistrationRejectedException.Kind.TOO_MANY_BINDINGS,
                    "more than " + update.maxBindings() + " bindings for " + aor));
          }
        }
      }
      replace(aor, current.values(), next);
      return Future.succeededFuture(List.copyOf(next.values()));
    }
  }

  private static void rejectIfStale(Binding existing, String callId, long cseq) {
    if (existing.callId().equals(callId) && cseq <= existing.cseq()) {
      throw new RegistrationRejectedException(
          RegistrationRejectedException.Kind.OUT_OF_ORDER,
          "CSeq " + cseq + " not higher than " + existing.cseq() + " for Call-ID " + callId);
    }
  }

  @Override
  public Future<Void> removeFlow(String flowId) {
    synchronized (lock) {
      Set<String> aors = aorsByFlow.get(flowId);
      if (aors != null) {
        for (String aor : List.copyOf(aors)) {
          LinkedHashMap<String, Binding> current = byAor.get(aor);
          if (current == null) {
            continue;
          }
          LinkedHashMap<String, Binding> next = new LinkedHashMap<>(current);
          next.values().removeIf(b -> b.flowId().equals(flowId));
          replace(aor, current.values(), next);
        }
      }
      return Future.succeededFuture();
    }
  }

  @Override
  public Future<@Nullable Binding> findByContact(String contactUri) {
    Instant now = clock.instant();
    String contactKey = contactUri.toLowerCase(Locale.ROOT);
    synchronized (lock) {
      Set<String> aors = aorsByContact.get(contactKey);
      if (aors != null) {
        for (String aor : aors) {
          for (Binding b : live(byAor.get(aor), now)) {
            if (b.contactUri().toLowerCase(Locale.ROOT).equals(contactKey)) {
              return Future.succeededFuture(b);
            }
          }
        }
      }
      return Future.succeededFuture(null);
    }
  }

  @Override
  public Future<Integer> purgeExpired(Instant now) {
    synchronized (lock) {
      int removed = 0;
      for (String aor : List.copyOf(byAor.keySet())) {
        LinkedHashMap<String, Binding> current = byAor.get(aor);
        LinkedHashMap<String, Binding> next = new LinkedHashMap<>(current);
        next.values().removeIf(b -> b.expired(now));
        if (next.size() != current.size()) {
          removed += current.size() - next.size();
          replace(aor, current.values(), next);
        }
      }
      return Future.succeededFuture(removed);
    }
  }

  /** Number of AORs with at least one stored (possibly expired, not yet purged) binding. */
  public int aorCount() {
    synchronized (lock) {
      return byAor.size();
    }
  }

  private static List<Binding> live(@Nullable Map<String, Binding> bindings, Instant now) {
    if (bindings == null) {
      return List.of();
    }
    List<Binding> out = new ArrayList<>(bindings.size());
    for (Binding b : bindings.values()) {
      if (!b.expired(now)) {
        out.add(b);
      }
    }
    return List.copyOf(out);
  }

  // Swaps the AOR's bindings and keeps the flow and contact indexes in step (caller holds lock).
  private void replace(
      String aor, java.util.Collection<Binding> oldBindings, LinkedHashMap<String, Binding> next) {
    for (Binding b : List.copyOf(oldBindings)) {
      unindex(aorsByFlow, b.flowId(), aor);
      unindex(aorsByContact, b.contactUri().toLowerCase(Locale.ROOT), aor);
    }
    if (next.isEmpty()) {
      byAor.remove(aor);
      return;
    }
    byAor.put(aor, next);
    for (Binding b : next.values()) {
      aorsByFlow.computeIfAbsent(b.flowId(), k -> new HashSet<>()).add(aor);
      aorsByContact
          .computeIfAbsent(b.contactUri().toLowerCase(Locale.ROOT), k -> new HashSet<>())
          .add(aor);
    }
  }

  private static void unindex(Map<String, Set<String>> index, String key, String aor) {
    Set<String> aors = index.get(key);
    if (aors != null) {
      aors.remove(aor);
      if (aors.isEmpty()) {
        index.remove(key);
      }
    }
  }
}
