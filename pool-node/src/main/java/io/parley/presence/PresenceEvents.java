package io.parley.presence;

import java.util.function.Consumer;

/**
 * Fan-out of presence changes to every node of the pool (each node holds the subscriptions of the
 * watchers connected to it). Standalone {@link InMemoryPresenceEvents}; in a pool a Hazelcast
 * reliable topic or the clustered event bus (publish to all members, including the sender).
 */
public interface PresenceEvents {

  /** Delivers {@code event} to every listener of every node (the sender's included). */
  void publish(PresenceEvent event);

  /**
   * Registers a listener; it may be called on any thread and must not block. Closing the returned
   * handle removes it.
   */
  AutoCloseable subscribe(Consumer<PresenceEvent> listener);
}
