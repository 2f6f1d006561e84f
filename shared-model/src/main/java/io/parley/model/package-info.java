/** The vocabulary shared by all Parley modules: immutable values, no I/O. */
@NullMarked
package io.parley.model;

import org.jspecify.annotations.NullMarked;
