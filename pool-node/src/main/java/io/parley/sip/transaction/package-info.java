/** RFC 3261 §17 client and server transactions, stateless forwarding and overload control. */
@org.jspecify.annotations.NullMarked
package io.parley.sip.transaction;
