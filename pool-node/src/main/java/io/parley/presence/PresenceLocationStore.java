package io.parley.presence;

import io.parley.registrar.Binding;
import io.parley.registrar.LocationStore;
import io.parley.registrar.RegistrationChange;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@link LocationStore} that tells watchers when a user's registration state flips (the first
 * binding appears, the last one goes), since an unpublished but registered user shows online
 * ({@link PresenceComposer}). Wraps the real store; the composition root hands this one to the
 * node.
 *
 * <p>REGISTERs are seen directly. Bindings that vanish without a REGISTER (connection closed,
 * expiry) are found through what this node learnt from the REGISTERs it applied: the AORs per flow
 * and the latest expiry per AOR. That covers the bindings held by this node, which is where the
 * connection closes and where the registrar runs; expiry in a pool is noticed by each node for its
 * own registrations.
 */
public final class PresenceLocationStore implements LocationStore {

  private final LocationStore delegate;
  private final PresenceEvents events;
  // flow id -> AORs registered over it; AOR -> latest binding expiry known here
  private final Map<String, Set<String>> aorsByFlow = new ConcurrentHashMap<>();
  private final Map<String, Instant> expiryByAor = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> flowsByAor = new ConcurrentHashMap<>();

  public PresenceLocationStore(LocationStore delegate, PresenceEvents events) {
    this.delegate = delegate;
    this.events = events;
  }

  @Override
  public Future<List<Binding>> lookup(String aor) {
    return delegate.lookup(aor);
  }

  @Override
  public Future<List<Binding>> apply(String aor, RegistrationChange change) {
    return delegate
        .lookup(aor)
        .compose(
            before ->
                delegate
                    .apply(aor, change)
                    .onSuccess(
                        after -> {
                          track(aor, after);
                          if (before.isEmpty() != after.isEmpty()) {
                            events.publish(new PresenceEvent.ViewChanged(aor));
                          }
                        }));
  }

  private void track(String aor, List<Binding> bindings) {
    Set<String> flows = new HashSet<>();
    Instant latest = Instant.MIN;
    for (Binding b : bindings) {
      flows.add(b.flowId());
      aorsByFlow.computeIfAbsent(b.flowId(), k -> ConcurrentHashMap.newKeySet()).add(aor);
      if (b.expiresAt().isAfter(latest)) {
        latest = b.expiresAt();
      }
    }
    Set<String> old = flows.isEmpty() ? flowsByAor.remove(aor) : flowsByAor.put(aor, flows);
    if (old != null) {
      // Forget the flows this AOR left, so the maps stay as large as the live registrations.
      for (String flow : old) {
        if (!flows.contains(flow)) {
          aorsByFlow.computeIfPresent(
              flow,
              (k, set) -> {
                set.remove(aor);
                return set.isEmpty() ? null : set;
              });
        }
      }
    }
    if (bindings.isEmpty()) {
      expiryByAor.remove(aor);
    } else {
      expiryByAor.put(aor, latest);
    }
  }

  @Override
  public Future<Void> removeFlow(String flowId) {
    Set<String> aors = aorsByFlow.remove(flowId);
    return delegate.removeFlow(flowId).onSuccess(v -> recheck(aors));
  }

  @Override
  public Future<@Nullable Binding> findByContact(String contactUri) {
    return delegate.findByContact(contactUri);
  }

  @Override
  public Future<Integer> purgeExpired(Instant now) {
    Set<String> lapsed = new HashSet<>();
    expiryByAor.forEach(
        (aor, expiry) -> {
          if (!expiry.isAfter(now)) {
            lapsed.add(aor);
          }
        });
    return delegate
        .purgeExpired(now)
        .onSuccess(
            n -> {
              recheck(lapsed);
            });
  }

  /** Publishes a change for each AOR that has no binding left. */
  private void recheck(@Nullable Set<String> aors) {
    if (aors == null) {
      return;
    }
    for (String aor : new ArrayList<>(aors)) {
      delegate
          .lookup(aor)
          .onSuccess(
              left -> {
                track(aor, left);
                if (left.isEmpty()) {
                  events.publish(new PresenceEvent.ViewChanged(aor));
                }
              });
    }
  }
}
