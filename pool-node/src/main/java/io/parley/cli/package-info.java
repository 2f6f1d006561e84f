/** The {@code parley} command line: standalone node, user administration. */
@NullMarked
package io.parley.cli;

import org.jspecify.annotations.NullMarked;
