package io.parley.presence;

import org.jspecify.annotations.Nullable;

/** What {@link PresenceDocuments#apply} did. */
public sealed interface PublishOutcome extends java.io.Serializable {

  /**
   * The change was applied.
   *
   * @param publication the publication afterwards (null after a removal)
   * @param viewChanged true when the set of documents changed (not for a plain refresh), so
   *     watchers must be notified
   */
  record Applied(@Nullable Publication publication, boolean viewChanged)
      implements PublishOutcome {}

  /** SIP-If-Match named no current publication of the presentity (RFC 3903 412). */
  record UnknownEtag() implements PublishOutcome {}

  /** A new publication would exceed the per-presentity limit. */
  record TooManyPublications() implements PublishOutcome {}
}
