package io.parley.routing;

import io.parley.sip.transport.Flow;
import io.parley.sip.transport.Transport;
import org.jspecify.annotations.Nullable;

/**
 * The next hop of a forwarded request: a connection (TCP/TLS, by flow id) or an address (UDP, or a
 * TCP/TLS target we may have to connect to).
 *
 * @param transport the transport
 * @param flowId the TCP/TLS connection to use, or null to reach {@code host:port} (connecting if
 *     needed); ignored for UDP
 * @param host IP literal (or host name for a connect)
 * @param port port
 */
record Hop(Transport transport, @Nullable String flowId, String host, int port) {

  /** The hop back over a flow a request arrived on. */
  static Hop of(Flow flow) {
    return new Hop(flow.transport(), flow.id(), flow.remoteHost(), flow.remotePort());
  }

  /** True when the hop must use that very connection (the peer may be behind NAT). */
  boolean pinned() {
    return transport.reliable() && flowId != null;
  }
}
