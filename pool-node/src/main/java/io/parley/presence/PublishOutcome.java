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
   * @param after the presentity's live publications afterwards, when the store tells them (the pool
   *     store does, so the publishing member can hand the composed view to every member in the
   *     change event instead of each member reading it back); null otherwise
   */
  record Applied(@Nullable Publication publication, boolean viewChanged, @Nullable Snapshot after)
      implements PublishOutcome {

    public Applied(@Nullable Publication publication, boolean viewChanged) {
      this(publication, viewChanged, null);
    }
  }

  /**
   * A presentity's live publications right after a change.
   *
   * @param version grows with every change of the presentity's publications: the change's time
   *     ({@link PublicationChange#now}, the changing member's clock) in microseconds, or one more
   *     than the previous version if that is larger
   */
  record Snapshot(long version, java.util.List<Publication> publications)
      implements java.io.Serializable {

    public Snapshot {
      publications = java.util.List.copyOf(publications);
    }

    /** The version for a change made at {@code now} to publications of version {@code previous}. */
    public static long next(long previous, java.time.Instant now) {
      return Math.max(previous + 1, now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000);
    }
  }

  /** SIP-If-Match named no current publication of the presentity (RFC 3903 412). */
  record UnknownEtag() implements PublishOutcome {}

  /** A new publication would exceed the per-presentity limit. */
  record TooManyPublications() implements PublishOutcome {}
}
