/** Certificate material for SIP over TLS: a private CA, node certificates, PEM files. */
@NullMarked
package io.parley.tls;

import org.jspecify.annotations.NullMarked;
