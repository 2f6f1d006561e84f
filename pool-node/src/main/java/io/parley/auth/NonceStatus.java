package io.parley.auth;

/** The verdict on a nonce presented by a client. */
public enum NonceStatus {
  /** Issued by us (or a node sharing our key) and still fresh. */
  VALID,
  /** Authentic but expired: answer with a new challenge carrying {@code stale=true}. */
  STALE,
  /** Not one of ours (forged, tampered, truncated, other realm or key). */
  INVALID
}
