package io.parley.cluster;

import io.parley.presence.PresenceEvent;
import io.parley.presence.PresenceEvents;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
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

  /** A view bigger than this travels without it: the receivers read the state back instead. */
  private static final int MAX_VIEW = 192 * 1024;

  /** Two AORs, a carried view and a few separators; anything longer is not one of our events. */
  private static final int MAX_WIRE = 4_096 + MAX_VIEW * 4 / 3 + 4;

  private final Vertx vertx;
  private final List<Consumer<PresenceEvent>> listeners = new CopyOnWriteArrayList<>();
  private final MessageConsumer<Object> consumer;

  public EventBusPresenceEvents(Vertx vertx) {
    this.vertx = vertx;
    // Typed Object, not String: a body of another type (a member of another version) must be
    // refused here, not fail with a ClassCastException inside the event bus.
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

  private void deliver(@Nullable Object body) {
    PresenceEvent e = body instanceof String wire ? decode(wire) : null;
    if (e == null) {
      log.warn("unreadable presence event from the pool: {}", abbreviated(body));
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
   * W|presentity}, {@code L|presentity} or {@code R|presentity|watcher}.
   */
  static String encode(PresenceEvent e) {
    return switch (e) {
      case PresenceEvent.ViewChanged v ->
          v.view() == null || v.view().pidf().length > MAX_VIEW
              ? "V|" + v.presentity()
              : "V|"
                  + v.presentity()
                  + "|"
                  + v.view().version()
                  + "|"
                  + Base64.getEncoder().encodeToString(v.view().pidf());
      case PresenceEvent.WatchersChanged w -> "W|" + w.presentity();
      case PresenceEvent.ListsChanged l -> "L|" + l.presentity();
      case PresenceEvent.RulesChanged r -> "R|" + r.presentity() + "|" + r.watcher();
    };
  }

  /**
   * The event {@code wire} encodes, or null for anything else (unknown kinds from a newer member,
   * wrong field counts, empty fields, oversized input): such a message is dropped, never thrown.
   */
  static @Nullable PresenceEvent decode(String wire) {
    if (wire.length() > MAX_WIRE) {
      return null;
    }
    String[] f = wire.split("\\|", -1);
    for (int i = 1; i < f.length; i++) {
      if (f[i].isEmpty()) {
        return null;
      }
    }
    return switch (f[0]) {
      case "V" ->
          f.length == 2
              ? new PresenceEvent.ViewChanged(f[1])
              : f.length == 4 ? withView(f[1], f[2], f[3]) : null;
      case "W" -> f.length == 2 ? new PresenceEvent.WatchersChanged(f[1]) : null;
      case "L" -> f.length == 2 ? new PresenceEvent.ListsChanged(f[1]) : null;
      case "R" -> f.length == 3 ? new PresenceEvent.RulesChanged(f[1], f[2]) : null;
      default -> null;
    };
  }

  private static String abbreviated(@Nullable Object body) {
    String s = String.valueOf(body);
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
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
