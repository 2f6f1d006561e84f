/** PostgreSQL back-end: connection pool, Flyway migrations, embedded PostgreSQL launcher. */
@NullMarked
package io.parley.db;

import org.jspecify.annotations.NullMarked;
