package io.parley.presence.pidf;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One PIDF tuple (a service/device of the presentity).
 *
 * @param id the tuple id (an XML ID, unique in its document)
 * @param basic open/closed, or null when the tuple gave no basic status
 * @param contact the contact URI, or null
 * @param notes the tuple's notes, in document order
 */
public record Tuple(String id, @Nullable Basic basic, @Nullable String contact, List<String> notes)
    implements java.io.Serializable {
  public Tuple {
    notes = List.copyOf(notes);
  }

  /** This tuple under another id. */
  public Tuple withId(String newId) {
    return new Tuple(newId, basic, contact, notes);
  }
}
