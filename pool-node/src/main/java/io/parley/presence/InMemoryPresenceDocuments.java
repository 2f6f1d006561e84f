package io.parley.presence;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PresenceDocuments} of a one-node pool: a concurrent map of presentity → (ETag →
 * publication), each change applied under {@link ConcurrentHashMap#compute} (atomic per presentity,
 * like an entry processor).
 */
public final class InMemoryPresenceDocuments implements PresenceDocuments {

  private final ConcurrentHashMap<String, Map<String, Publication>> byPresentity =
      new ConcurrentHashMap<>();

  @Override
  public Future<PublishOutcome> apply(String presentity, PublicationChange change) {
    PublishOutcome[] out = new PublishOutcome[1];
    byPresentity.compute(
        presentity,
        (key, old) -> {
          Map<String, Publication> pubs = new LinkedHashMap<>();
          if (old != null) {
            old.forEach(
                (etag, p) -> {
                  if (!p.expired(change.now())) {
                    pubs.put(etag, p);
                  }
                });
          }
          out[0] = applyTo(presentity, pubs, change);
          return pubs.isEmpty() ? null : Map.copyOf(pubs);
        });
    return Future.succeededFuture(out[0]);
  }

  /** The change on a mutable copy of one presentity's publications. */
  public static PublishOutcome applyTo(
      String presentity, Map<String, Publication> pubs, PublicationChange change) {
    return switch (change) {
      case PublicationChange.Create c -> {
        if (pubs.size() >= c.maxPublications()) {
          yield new PublishOutcome.TooManyPublications();
        }
        Publication p =
            new Publication(presentity, c.newEtag(), c.document(), c.expiresAt(), c.now());
        pubs.put(c.newEtag(), p);
        yield new PublishOutcome.Applied(p, true);
      }
      case PublicationChange.Refresh r -> {
        Publication old = pubs.remove(r.etag());
        if (old == null) {
          yield new PublishOutcome.UnknownEtag();
        }
        Publication p =
            new Publication(
                presentity, r.newEtag(), old.document(), r.expiresAt(), old.publishedAt());
        pubs.put(r.newEtag(), p);
        yield new PublishOutcome.Applied(p, false);
      }
      case PublicationChange.Modify m -> {
        if (pubs.remove(m.etag()) == null) {
          yield new PublishOutcome.UnknownEtag();
        }
        Publication p =
            new Publication(presentity, m.newEtag(), m.document(), m.expiresAt(), m.now());
        pubs.put(m.newEtag(), p);
        yield new PublishOutcome.Applied(p, true);
      }
      case PublicationChange.Remove r ->
          pubs.remove(r.etag()) == null
              ? new PublishOutcome.UnknownEtag()
              : new PublishOutcome.Applied(null, true);
    };
  }

  @Override
  public Future<List<Publication>> current(String presentity, Instant now) {
    Map<String, Publication> pubs = byPresentity.get(presentity);
    if (pubs == null) {
      return Future.succeededFuture(List.of());
    }
    List<Publication> out = new ArrayList<>();
    for (Publication p : pubs.values()) {
      if (!p.expired(now)) {
        out.add(p);
      }
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<Set<String>> purgeExpired(Instant now) {
    Set<String> changed = new HashSet<>();
    for (String presentity : byPresentity.keySet()) {
      byPresentity.computeIfPresent(
          presentity,
          (key, pubs) -> {
            Map<String, Publication> left = new LinkedHashMap<>();
            pubs.forEach(
                (etag, p) -> {
                  if (!p.expired(now)) {
                    left.put(etag, p);
                  }
                });
            if (left.size() == pubs.size()) {
              return pubs;
            }
            changed.add(key);
            return left.isEmpty() ? null : Map.copyOf(left);
          });
    }
    return Future.succeededFuture(changed);
  }
}
