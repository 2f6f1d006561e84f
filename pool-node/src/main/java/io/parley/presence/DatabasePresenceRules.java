package io.parley.presence;

import io.parley.db.presence.PresenceAction;
import io.parley.db.presence.PresenceRuleRepository;
import io.parley.db.user.UserRepository;
import io.parley.registrar.Aors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Optional;

/**
 * {@link PresenceRules} over PostgreSQL ({@code presence_rules}). A stored rule wins; without one,
 * a watcher of the presentity's own domain is allowed when {@code sameDomainAllowed} (the
 * enterprise default) and every other watcher is pending. A presentity always sees itself.
 *
 * <p>Repository calls are blocking JDBC and run on Vert.x worker threads ({@code executeBlocking}),
 * never on an event loop. {@link #setRule} also tells every node through {@link PresenceEvents} so
 * the affected subscriptions are re-evaluated (pending → active, or the watcher now sees the
 * presentity offline).
 */
public final class DatabasePresenceRules implements PresenceRules {

  private final Vertx vertx;
  private final PresenceRuleRepository rules;
  private final UserRepository users;
  private final PresenceEvents events;
  private final boolean sameDomainAllowed;

  public DatabasePresenceRules(
      Vertx vertx,
      PresenceRuleRepository rules,
      UserRepository users,
      PresenceEvents events,
      boolean sameDomainAllowed) {
    this.vertx = vertx;
    this.rules = rules;
    this.users = users;
    this.events = events;
    this.sameDomainAllowed = sameDomainAllowed;
  }

  @Override
  public Future<WatcherAccess> decide(String presentity, String watcher) {
    return vertx.executeBlocking(
        () -> {
          if (users.findBySipUri(presentity).filter(u -> u.enabled()).isEmpty()) {
            return WatcherAccess.NO_SUCH_PRESENTITY;
          }
          if (presentity.equals(watcher)) {
            return WatcherAccess.ALLOW;
          }
          Optional<PresenceAction> rule = rules.find(presentity, watcher);
          if (rule.isPresent()) {
            return switch (rule.get()) {
              case ALLOW -> WatcherAccess.ALLOW;
              case BLOCK -> WatcherAccess.BLOCK;
              case PENDING -> WatcherAccess.PENDING;
            };
          }
          return sameDomainAllowed && Aors.domain(presentity).equals(Aors.domain(watcher))
              ? WatcherAccess.ALLOW
              : WatcherAccess.PENDING;
        },
        false);
  }

  /**
   * Stores {@code presentity}'s rule for {@code watcher} and re-evaluates the subscriptions it
   * concerns on every node (the hook for XCAP / an admin API later).
   */
  public Future<Void> setRule(String presentity, String watcher, PresenceAction action) {
    String w = Aors.canonical(watcher);
    return vertx
        .<Void>executeBlocking(
            () -> {
              rules.put(presentity, w, action);
              return null;
            },
            false)
        .onSuccess(v -> events.publish(new PresenceEvent.RulesChanged(presentity, w)));
  }

  /** Removes the rule (the default applies again) and re-evaluates as {@link #setRule} does. */
  public Future<Boolean> clearRule(String presentity, String watcher) {
    String w = Aors.canonical(watcher);
    return vertx
        .executeBlocking(() -> rules.delete(presentity, w), false)
        .onSuccess(v -> events.publish(new PresenceEvent.RulesChanged(presentity, w)));
  }
}
