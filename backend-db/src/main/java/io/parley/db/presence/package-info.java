/** Presence authorization rules per presentity and watcher (blocking JDBC). */
@NullMarked
package io.parley.db.presence;

import org.jspecify.annotations.NullMarked;
