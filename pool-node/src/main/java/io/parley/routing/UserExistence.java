package io.parley.routing;

import io.vertx.core.Future;

/**
 * Answers "is this address-of-record a user of ours?" so that a request to a user with no binding
 * gets 480 (known, offline) rather than 404 (unknown). Production wires it to the database on a
 * worker; implementations must never block the calling (event-loop) thread.
 */
@FunctionalInterface
public interface UserExistence {

  /** Completes with true when {@code aor} (as {@code SipUri.aor()} spells it) is a known user. */
  Future<Boolean> exists(String aor);
}
