/** PIDF (RFC 3863) presence documents with RPID (RFC 4480): model, hardened parser, writer. */
@NullMarked
package io.parley.presence.pidf;

import org.jspecify.annotations.NullMarked;
