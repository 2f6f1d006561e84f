/** The registrar (RFC 3261 §10.3, RFC 5626): bindings of addresses-of-record to client flows. */
@org.jspecify.annotations.NullMarked
package io.parley.registrar;
