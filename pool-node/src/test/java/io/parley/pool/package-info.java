/** Tests of the pool member's set-up. */
@NullMarked
package io.parley.pool;

import org.jspecify.annotations.NullMarked;
