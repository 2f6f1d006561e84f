/** SIP transports on Vert.x: UDP, TCP and TLS listeners, outbound connections and flows. */
@org.jspecify.annotations.NullMarked
package io.parley.sip.transport;
