package io.parley.presence;

import io.parley.presence.pidf.Basic;
import io.parley.presence.pidf.Person;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.presence.pidf.Tuple;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Composes one view of a presentity from the publications of all its devices and its registration
 * state (docs/presence.md "Composition"):
 *
 * <ul>
 *   <li>No publication: one tuple, {@code open} when the presentity has an unexpired registration
 *       (RFC 3856 §6.2 lets the agent use registration state; a registered client that never
 *       publishes is reachable), else {@code closed}.
 *   <li>Publications: the <em>most available</em> one wins. Its rank is 0 without an open tuple;
 *       with one, 3 when its person has no activity or only {@code unknown}/{@code working}/{@code
 *       other}, 1 with an away-like activity ({@link #AWAY}), else 2 (busy-like). Ties go to the
 *       most recently published. The view carries the winner's person (activities, notes) and
 *       document notes, and the tuples of every publication, winner's first (ids made unique). An
 *       explicit publication beats the registration: a device that published {@code closed} (appear
 *       offline) stays offline even while registered.
 * </ul>
 */
public final class PresenceComposer {

  /** RPID activities that make a device less available than a busy one. */
  static final Set<String> AWAY =
      Set.of(
          "away",
          "breakfast",
          "dinner",
          "lunch",
          "meal",
          "holiday",
          "vacation",
          "sleeping",
          "permanent-absence",
          "travel",
          "in-transit",
          "shopping");

  private static final Set<String> NEUTRAL = Set.of("unknown", "working", "other");

  private PresenceComposer() {}

  /** The availability rank of one document (0 = offline .. 3 = available). */
  public static int rank(PresenceDocument doc) {
    if (!doc.anyOpen()) {
      return 0;
    }
    Person p = doc.person();
    if (p == null || NEUTRAL.containsAll(p.activities())) {
      return 3;
    }
    return p.activities().stream().anyMatch(AWAY::contains) ? 1 : 2;
  }

  /** The composed view of {@code presentity}; {@code publications} must be unexpired. */
  public static PresenceDocument compose(
      String presentity, List<Publication> publications, boolean registered) {
    if (publications.isEmpty()) {
      Basic basic = registered ? Basic.OPEN : Basic.CLOSED;
      return new PresenceDocument(
          presentity, List.of(new Tuple("reg", basic, null, List.of())), null, List.of());
    }
    List<Publication> ordered = new ArrayList<>(publications);
    ordered.sort(
        Comparator.comparingInt((Publication p) -> rank(p.document()))
            .thenComparing(Publication::publishedAt)
            .thenComparing(Publication::etag)
            .reversed());
    PresenceDocument winner = ordered.get(0).document();
    List<Tuple> tuples = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int n = 0;
    for (Publication p : ordered) {
      n++;
      for (Tuple t : p.document().tuples()) {
        String id = t.id();
        while (!ids.add(id)) {
          id = t.id() + "-" + n++;
        }
        tuples.add(id.equals(t.id()) ? t : t.withId(id));
      }
    }
    return new PresenceDocument(presentity, tuples, winner.person(), winner.notes());
  }
}
