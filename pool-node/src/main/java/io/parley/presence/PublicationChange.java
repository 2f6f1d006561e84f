package io.parley.presence;

import io.parley.presence.pidf.PresenceDocument;
import java.time.Instant;

/**
 * One PUBLISH's effect on a presentity's publications, applied atomically by {@link
 * PresenceDocuments#apply}. A value (not a callback) so a distributed store can run it where the
 * data lives (a Hazelcast entry processor). New entity tags are chosen by the caller, so the store
 * needs no randomness and a retried change is deterministic.
 */
public sealed interface PublicationChange extends java.io.Serializable {

  /** The time the change is made at; publications expired at it are dropped first. */
  Instant now();

  /**
   * Initial publication (no SIP-If-Match).
   *
   * @param maxPublications the most publications the presentity may hold afterwards
   */
  record Create(
      String newEtag,
      PresenceDocument document,
      Instant expiresAt,
      Instant now,
      int maxPublications)
      implements PublicationChange {}

  /** Refresh (SIP-If-Match, no body): new ETag and expiry, same document. */
  record Refresh(String etag, String newEtag, Instant expiresAt, Instant now)
      implements PublicationChange {}

  /** Modify (SIP-If-Match and a body): new ETag, expiry and document. */
  record Modify(
      String etag, String newEtag, PresenceDocument document, Instant expiresAt, Instant now)
      implements PublicationChange {}

  /** Remove (SIP-If-Match, Expires: 0). */
  record Remove(String etag, Instant now) implements PublicationChange {}
}
