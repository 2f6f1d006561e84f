package io.parley.cluster;

import io.parley.presence.PresenceEvent;
import io.parley.presence.PresenceEvents;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence changes fanned out to every member over the clustered event bus ({@code publish} reaches
 * each member's consumer once, the sender's included; between two members messages keep their
 * order). Events only say "re-read this presentity", so the receiving agents always notify the
 * current state: a change is seen once per watcher, never a stale one after a newer.
 */
public final class EventBusPresenceEvents implements PresenceEvents, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EventBusPresenceEvents.class);
  public static final String ADDRESS = "parley.presence.events";

  private final Vertx vertx;
  private final List<Consumer<PresenceEvent>> listeners = new CopyOnWriteArrayList<>();
  private final MessageConsumer<String> consumer;

  public EventBusPresenceEvents(Vertx vertx) {
    this.vertx = vertx;
    this.consumer = vertx.eventBus().consumer(ADDRESS, m -> deliver(m.body()));
  }

  @Override
  public void publish(PresenceEvent event) {
    vertx.eventBus().publish(ADDRESS, encode(event));
  }

  @Override
  public AutoCloseable subscribe(Consumer<PresenceEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void deliver(String wire) {
    PresenceEvent e = decode(wire);
    if (e == null) {
      log.warn("unreadable presence event from the pool: {}", wire);
      return;
    }
    for (Consumer<PresenceEvent> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ex) {
        log.warn("presence listener failed on {}", e, ex);
      }
    }
  }

  /**
   * {@code V|presentity}, {@code V|presentity|version|base64 PIDF} (with the composed view), {@code
   * W|presentity} or {@code R|presentity|watcher}.
   */
  static String encode(PresenceEvent e) {
    return switch (e) {
      case PresenceEvent.ViewChanged v ->
          v.view() == null
              ? "V|" + v.presentity()
              : "V|"
                  + v.presentity()
                  + "|"
                  + v.view().version()
                  + "|"
                  + Base64.getEncoder().encodeToString(v.view().pidf());
      case PresenceEvent.WatchersChanged w -> "W|" + w.presentity();
      case PresenceEvent.RulesChanged r -> "R|" + r.presentity() + "|" + r.watcher();
    };
  }

  static @org.jspecify.annotations.Nullable PresenceEvent decode(String wire) {
    String[] f = wire.split("\\|", -1);
    return switch (f[0]) {
      case "V" ->
          f.length == 2
              ? new PresenceEvent.ViewChanged(f[1])
              : f.length == 4 ? withView(f[1], f[2], f[3]) : null;
      case "W" -> f.length == 2 ? new PresenceEvent.WatchersChanged(f[1]) : null;
      case "R" -> f.length == 3 ? new PresenceEvent.RulesChanged(f[1], f[2]) : null;
      default -> null;
    };
  }

  /** A damaged view is dropped: the receivers read the state back, as for a change without one. */
  private static PresenceEvent.ViewChanged withView(
      String presentity, String version, String pidf) {
    try {
      return new PresenceEvent.ViewChanged(
          presentity,
          new PresenceEvent.View(Long.parseLong(version), Base64.getDecoder().decode(pidf)));
    } catch (IllegalArgumentException e) { // NumberFormatException included
      log.warn("damaged presence view for {} from the pool", presentity);
      return new PresenceEvent.ViewChanged(presentity);
    }
  }

  @Override
  public void close() {
    consumer.unregister();
  }
}
