/** Test fixtures other modules reuse (published in backend-db's test-jar). */
@NullMarked
package io.parley.db.testing;

import org.jspecify.annotations.NullMarked;
