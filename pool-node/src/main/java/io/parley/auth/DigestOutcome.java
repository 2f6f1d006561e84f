package io.parley.auth;

/** Result of verifying Digest credentials; the caller maps it to a SIP response. */
public enum DigestOutcome {
  /** Credentials are correct and fresh. */
  ACCEPTED,
  /**
   * The response was computed with the right password over an expired nonce: re-challenge with
   * {@code stale=true}.
   */
  STALE,
  /** Correct response but a nonce-count already used: a replay; re-challenge (not stale). */
  REPLAYED,
  /**
   * Wrong password, unknown user, foreign realm/opaque or forged nonce: re-challenge, count a
   * failure.
   */
  REJECTED
}
