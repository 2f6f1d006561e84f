package io.parley.presence;

import io.parley.presence.pidf.PresenceDocument;
import java.time.Instant;

/**
 * One device's published state of a presentity (RFC 3903 "event state"), named by its entity tag.
 *
 * @param presentity canonical AOR
 * @param etag the current entity tag
 * @param document the parsed PIDF document
 * @param expiresAt when the publication lapses unless refreshed
 * @param publishedAt when its document was last set (initial or modify; refreshes keep it)
 */
public record Publication(
    String presentity,
    String etag,
    PresenceDocument document,
    Instant expiresAt,
    Instant publishedAt)
    implements java.io.Serializable {

  /** True when the publication has lapsed at {@code now}. */
  public boolean expired(Instant now) {
    return !expiresAt.isAfter(now);
  }
}
