/** XCAP (RFC 4825) server for contact lists (RFC 4826) and presence rules (RFC 5025). */
@NullMarked
package io.parley.xcap;

import org.jspecify.annotations.NullMarked;
