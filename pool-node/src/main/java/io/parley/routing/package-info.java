/** Request routing: the stateful proxy core (RFC 3261 §16) that forwards to registered flows. */
@org.jspecify.annotations.NullMarked
package io.parley.routing;
