package io.parley.presence;

/** What a watcher may see of a presentity, as decided by {@link PresenceRules}. */
public enum WatcherAccess {
  /** The composed presence document. */
  ALLOW,
  /** Polite block: an accepted subscription that always shows the presentity offline. */
  BLOCK,
  /** Undecided: the subscription is pending (202, NOTIFY without a document). */
  PENDING,
  /** The presentity is no user of ours (404). */
  NO_SUCH_PRESENTITY
}
