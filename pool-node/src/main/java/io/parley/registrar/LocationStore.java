package io.parley.registrar;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where registrations live. Standalone: {@link InMemoryLocationStore}; a pool: a distributed store.
 * Async because a distributed implementation is. Implementations are safe to call from any thread.
 */
public interface LocationStore {

  /** The unexpired bindings of {@code aor} (an AOR as {@code SipUri.aor()} spells it). */
  Future<List<Binding>> lookup(String aor);

  /**
   * Applies one REGISTER atomically per AOR and returns the unexpired bindings afterwards; fails
   * with {@link RegistrationRejectedException} (and changes nothing) when the change must be
   * refused.
   */
  Future<List<Binding>> apply(String aor, RegistrationChange change);

  /** The connection closed: drop its bindings. */
  Future<Void> removeFlow(String flowId);

  /** In-dialog routing: the unexpired binding whose Contact URI is {@code contactUri}, or null. */
  Future<@Nullable Binding> findByContact(String contactUri);

  /** Drops the bindings expired at {@code now}; returns how many. */
  Future<Integer> purgeExpired(Instant now);
}
