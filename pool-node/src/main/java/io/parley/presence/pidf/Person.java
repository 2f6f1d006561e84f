package io.parley.presence.pidf;

import java.util.List;

/**
 * The data-model person element (RFC 4479) with its RPID activities (RFC 4480 §3.2) and notes.
 *
 * @param activities RPID activity names as written ({@code away}, {@code busy}, {@code
 *     on-the-phone}...), in document order
 * @param notes the person's notes
 */
public record Person(List<String> activities, List<String> notes) implements java.io.Serializable {
  public Person {
    activities = List.copyOf(activities);
    notes = List.copyOf(notes);
  }
}
