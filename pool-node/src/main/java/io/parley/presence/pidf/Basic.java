package io.parley.presence.pidf;

/** The PIDF basic status of a tuple (RFC 3863 §4.1.4). */
public enum Basic {
  OPEN,
  CLOSED;

  /** The XML spelling. */
  public String xml() {
    return this == OPEN ? "open" : "closed";
  }
}
