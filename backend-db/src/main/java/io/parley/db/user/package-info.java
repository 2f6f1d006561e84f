/**
 * Users and their digest credentials: repositories, HA1 hashing and bulk import (blocking JDBC).
 */
@NullMarked
package io.parley.db.user;

import org.jspecify.annotations.NullMarked;
