package io.parley.presence;

/**
 * What {@link PresenceEvents} carries between the nodes of a pool. Small on purpose: a listener
 * re-reads the state it needs ({@link PresenceDocuments}, {@link WatcherDirectory}, rules), so an
 * event lost or duplicated at most costs or saves one NOTIFY with the current state.
 */
public sealed interface PresenceEvent {

  /** The presentity whose subscribers are concerned. */
  String presentity();

  /** The presentity's composed view may have changed (publication, expiry, registration). */
  record ViewChanged(String presentity) implements PresenceEvent {}

  /** The presentity changed its rule for {@code watcher} (canonical AOR). */
  record RulesChanged(String presentity, String watcher) implements PresenceEvent {}

  /** The presentity's list of watchers changed (for its {@code presence.winfo} subscriptions). */
  record WatchersChanged(String presentity) implements PresenceEvent {}

  /**
   * The user {@code presentity} edited its resource lists (XCAP): its list subscriptions re-read
   * their members and send the whole list again (RFC 4662 full state).
   */
  record ListsChanged(String presentity) implements PresenceEvent {}
}
