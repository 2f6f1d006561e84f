/** Server-stored contact lists and whole-document presence rule edits (blocking JDBC). */
@NullMarked
package io.parley.db.contacts;

import org.jspecify.annotations.NullMarked;
