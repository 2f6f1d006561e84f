package io.parley.presence;

import io.vertx.core.Future;

/**
 * Presence authorization (RFC 3856 §5.1): per-presentity rules for watchers. Futures complete on
 * any thread; implementations never block the caller's event loop.
 */
public interface PresenceRules {

  /** What {@code watcher} may see of {@code presentity} (both canonical AORs). */
  Future<WatcherAccess> decide(String presentity, String watcher);
}
