package io.parley.db.presence;

import java.util.Locale;

/** What a presentity's rule lets one watcher see. */
public enum PresenceAction {
  /** The watcher sees the presence document. */
  ALLOW,
  /** Polite block: the subscription is accepted, the watcher sees the presentity offline. */
  BLOCK,
  /** Undecided: the subscription waits and shows up in the presentity's watcher info. */
  PENDING;

  /** The spelling stored in the {@code action} column. */
  public String column() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a stored {@code action} value. */
  public static PresenceAction ofColumn(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
