/** SIP Digest authentication (RFC 7616/8760) as pure logic: challenges, nonces, verification. */
@NullMarked
package io.parley.auth;

import org.jspecify.annotations.NullMarked;
