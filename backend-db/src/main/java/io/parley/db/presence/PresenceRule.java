package io.parley.db.presence;

/**
 * One stored rule.
 *
 * @param presentity canonical AOR of the user whose presence is watched
 * @param watcher canonical AOR of the subscriber
 * @param action what the watcher gets
 */
public record PresenceRule(String presentity, String watcher, PresenceAction action) {}
