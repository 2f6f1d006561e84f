package io.parley.sip.transport;

import java.net.InetSocketAddress;

/**
 * A connection (TCP/TLS) or, for UDP, a remote address seen on a listener. The id is stable for the
 * life of a connection, so a later request to the client can go out over the connection it opened
 * (the RFC 5626 flow idea).
 *
 * @param id stable identifier, e.g. {@code tcp-42}, {@code tls-7}, {@code udp-192.0.2.1:5060}
 * @param transport the transport
 * @param remote the peer's address
 * @param local our local address of the connection or listener
 */
public record Flow(
    String id, Transport transport, InetSocketAddress remote, InetSocketAddress local) {

  /** True when the transport is connection-oriented. */
  public boolean reliable() {
    return transport.reliable();
  }

  /** The peer's IP address literal (no brackets for IPv6). */
  public String remoteHost() {
    return remote.getAddress() != null
        ? remote.getAddress().getHostAddress()
        : remote.getHostString();
  }

  /** The peer's port. */
  public int remotePort() {
    return remote.getPort();
  }
}
