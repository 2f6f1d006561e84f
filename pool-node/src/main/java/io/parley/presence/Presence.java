package io.parley.presence;

import io.parley.node.SipNode;
import java.time.Clock;
import java.util.LinkedHashSet;

/**
 * Wiring of the presence agent into a node: {@code node.withLocalService(Presence.agent(...))}
 * before {@code node.start()}. Standalone passes the in-memory state; a pool passes the Hazelcast
 * implementations of the same interfaces.
 */
public final class Presence {

  private Presence() {}

  /** A factory building this node's {@link PresenceAgent} once the SIP layers exist. */
  public static SipNode.LocalServiceFactory agent(
      PresenceConfig config,
      PresenceDocuments documents,
      PresenceEvents events,
      WatcherDirectory watchers,
      PresenceRules rules) {
    return agent(config, documents, events, watchers, rules, ResourceLists.none());
  }

  /** The same with resource lists (RFC 4662) served from {@code lists}. */
  public static SipNode.LocalServiceFactory agent(
      PresenceConfig config,
      PresenceDocuments documents,
      PresenceEvents events,
      WatcherDirectory watchers,
      PresenceRules rules,
      ResourceLists lists) {
    return services ->
        new PresenceAgent(
            services.vertx(),
            services.context(),
            services.transactions(),
            services.transport(),
            services.locations(),
            new LinkedHashSet<>(services.config().domains()),
            services.config().nodeId(),
            documents,
            events,
            watchers,
            rules,
            lists,
            config,
            Clock.systemUTC());
  }
}
