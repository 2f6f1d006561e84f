/** Pool-wide persistent key/value settings such as shared secrets (blocking JDBC). */
@NullMarked
package io.parley.db.settings;

import org.jspecify.annotations.NullMarked;
