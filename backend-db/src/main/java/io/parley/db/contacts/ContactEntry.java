package io.parley.db.contacts;

import org.jspecify.annotations.Nullable;

/**
 * One contact of a group.
 *
 * @param uri the contact's URI as the owner wrote it (usually {@code sip:user@domain})
 * @param displayName the name the owner gave the contact, if any
 */
public record ContactEntry(String uri, @Nullable String displayName) {}
