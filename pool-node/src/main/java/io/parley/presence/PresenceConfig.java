package io.parley.presence;

import java.time.Duration;
import java.util.Set;

/**
 * Settings of the presence agent.
 *
 * @param subscribeDefault subscription duration when SUBSCRIBE has no Expires (RFC 3856 §6.4: 3600
 *     s)
 * @param subscribeMin shorter non-zero SUBSCRIBE Expires get 423 with Min-Expires
 * @param subscribeMax longer ones are shortened to this
 * @param publishDefault publication lifetime when PUBLISH has no Expires (RFC 3903 §4)
 * @param publishMin shorter non-zero PUBLISH Expires get 423
 * @param publishMax longer ones are shortened to this
 * @param sweepInterval how often expired publications are purged (and watchers told)
 * @param maxSubscriptions most subscriptions this node holds (503 beyond)
 * @param maxSubscriptionsPerWatcher most subscriptions one watcher holds on this node (503 beyond;
 *     a buddy list of that many contacts must fit)
 * @param maxPublicationsPerPresentity most devices' publications per presentity (403 beyond)
 * @param relayedEvents SUBSCRIBE event packages to users of our domains that the proxy relays to
 *     their devices instead of the agent answering 489 (e.g. {@code dialog}); {@code presence} and
 *     {@code presence.winfo} are always answered here
 */
public record PresenceConfig(
    Duration subscribeDefault,
    Duration subscribeMin,
    Duration subscribeMax,
    Duration publishDefault,
    Duration publishMin,
    Duration publishMax,
    Duration sweepInterval,
    int maxSubscriptions,
    int maxSubscriptionsPerWatcher,
    int maxPublicationsPerPresentity,
    Set<String> relayedEvents) {

  public PresenceConfig {
    relayedEvents = Set.copyOf(relayedEvents);
  }

  public static PresenceConfig defaults() {
    return new PresenceConfig(
        Duration.ofSeconds(3600),
        Duration.ofSeconds(60),
        Duration.ofSeconds(3600),
        Duration.ofSeconds(3600),
        Duration.ofSeconds(60),
        Duration.ofSeconds(3600),
        Duration.ofSeconds(5),
        100_000,
        1_000,
        16,
        Set.of());
  }

  /** The same with both minimum Expires and the sweep interval changed (tests use 1 s). */
  public PresenceConfig withMinimums(Duration min, Duration sweep) {
    return new PresenceConfig(
        subscribeDefault,
        min,
        subscribeMax,
        publishDefault,
        min,
        publishMax,
        sweep,
        maxSubscriptions,
        maxSubscriptionsPerWatcher,
        maxPublicationsPerPresentity,
        relayedEvents);
  }

  /** The same with another per-watcher subscription limit. */
  public PresenceConfig withMaxSubscriptionsPerWatcher(int max) {
    return new PresenceConfig(
        subscribeDefault,
        subscribeMin,
        subscribeMax,
        publishDefault,
        publishMin,
        publishMax,
        sweepInterval,
        maxSubscriptions,
        max,
        maxPublicationsPerPresentity,
        relayedEvents);
  }
}
