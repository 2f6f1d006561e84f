package io.parley.db.contacts;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One group of a contact list, with its contacts in order.
 *
 * @param name the group's name, unique in the owner's list
 * @param displayName the group's display name, if any
 * @param entries the contacts, each URI at most once
 */
public record ContactGroup(String name, @Nullable String displayName, List<ContactEntry> entries) {

  public ContactGroup {
    entries = List.copyOf(entries);
  }
}
