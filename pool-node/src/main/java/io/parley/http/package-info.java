/** What every HTTP listener of a node (XCAP, admin) shares. */
@NullMarked
package io.parley.http;

import org.jspecify.annotations.NullMarked;
