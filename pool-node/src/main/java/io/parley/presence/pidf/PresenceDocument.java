package io.parley.presence.pidf;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A PIDF document: what Parley keeps of a publication and sends to watchers. Elements outside PIDF,
 * the data model's person and RPID activities are dropped (Parley composes documents of several
 * devices and does not relay unknown extensions).
 *
 * @param entity the presentity URI ({@code pres:} or {@code sip:})
 * @param tuples the tuples, in document order
 * @param person the person element, or null
 * @param notes the document-level notes
 */
public record PresenceDocument(
    String entity, List<Tuple> tuples, @Nullable Person person, List<String> notes)
    implements java.io.Serializable {
  public PresenceDocument {
    tuples = List.copyOf(tuples);
    notes = List.copyOf(notes);
  }

  /** A document saying only that {@code entity} is offline (one closed tuple). */
  public static PresenceDocument offline(String entity) {
    return new PresenceDocument(
        entity, List.of(new Tuple("offline", Basic.CLOSED, null, List.of())), null, List.of());
  }

  /** True when some tuple is open. */
  public boolean anyOpen() {
    return tuples.stream().anyMatch(t -> t.basic() == Basic.OPEN);
  }
}
