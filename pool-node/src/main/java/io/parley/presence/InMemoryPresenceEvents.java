package io.parley.presence;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link PresenceEvents} of a one-node pool: listeners are called at once, on the caller. */
public final class InMemoryPresenceEvents implements PresenceEvents {

  private static final Logger log = LoggerFactory.getLogger(InMemoryPresenceEvents.class);

  private final CopyOnWriteArrayList<Consumer<PresenceEvent>> listeners =
      new CopyOnWriteArrayList<>();

  @Override
  public void publish(PresenceEvent event) {
    for (Consumer<PresenceEvent> l : listeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        log.warn("presence listener failed on {}", event, e);
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<PresenceEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }
}
