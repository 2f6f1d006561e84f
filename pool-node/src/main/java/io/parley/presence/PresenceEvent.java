package io.parley.presence;

import org.jspecify.annotations.Nullable;

/**
 * What {@link PresenceEvents} carries between the nodes of a pool. Small on purpose: a listener
 * re-reads the state it needs ({@link PresenceDocuments}, {@link WatcherDirectory}, rules), so an
 * event lost or duplicated at most costs or saves one NOTIFY with the current state. The one
 * exception is the composed view a PUBLISH's {@link ViewChanged} may carry, so that a fan-out to
 * many watchers needs no read on any member; it is used only when newer than anything the receiver
 * knows (see {@code PresenceAgent}).
 */
public sealed interface PresenceEvent {

  /** The presentity whose subscribers are concerned. */
  String presentity();

  /**
   * The presentity's composed view may have changed (publication, expiry, registration).
   *
   * @param view the new allowed view when the sender composed it (after a PUBLISH that leaves
   *     publications), so that receivers need not read the state back; null: re-read
   */
  record ViewChanged(String presentity, @Nullable View view) implements PresenceEvent {

    public ViewChanged(String presentity) {
      this(presentity, null);
    }
  }

  /**
   * A composed view carried in a {@link ViewChanged}.
   *
   * @param version the {@link PublishOutcome.Snapshot#version} it was composed from; a receiver
   *     uses the view only when it is newer than what it last knew (events from different members
   *     may overtake each other), else it re-reads
   * @param pidf the {@code application/pidf+xml} document every allowed watcher gets
   */
  record View(long version, byte[] pidf) {}

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
