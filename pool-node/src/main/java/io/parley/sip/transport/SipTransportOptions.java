package io.parley.sip.transport;

import io.parley.sip.parse.SipLimits;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Immutable options of a {@link SipTransportLayer}; {@code withX} methods copy. A port of -1
 * disables that listener, 0 binds an ephemeral port (read it back with {@code actualXxxPort()}).
 *
 * @param host listen address
 * @param udpPort UDP listener port
 * @param tcpPort TCP listener port
 * @param tlsPort TLS listener port (needs {@code tlsKeyCert})
 * @param tlsKeyCert server key and certificate chain (PEM)
 * @param tlsTrust trust anchors for client certificates and outbound TLS; null = JDK default
 * @param tlsRequireClientAuth require client certificates (MTLS between servers)
 * @param flowIdPrefix prefix of flow ids (e.g. {@code node-1/})
 * @param limits framing and parsing limits
 * @param maxUdpMessageBytes larger messages are refused over UDP (RFC 3261 §18.1.1)
 * @param maxConnections global cap of open TCP/TLS connections
 * @param maxConnectionsPerAddress cap of connections from one remote IP
 * @param idleTimeout a connection with no traffic this long is closed
 * @param headerReadTimeout a partial message buffered this long closes the connection
 * @param tlsHandshakeTimeout TLS handshake limit
 * @param connectTimeout outbound connect limit
 * @param advertisedHost host written into our Via/Contact; null = the listen host (or 127.0.0.1
 *     when listening on the wildcard address)
 */
public record SipTransportOptions(
    String host,
    int udpPort,
    int tcpPort,
    int tlsPort,
    @Nullable PemKeyCertOptions tlsKeyCert,
    @Nullable PemTrustOptions tlsTrust,
    boolean tlsRequireClientAuth,
    String flowIdPrefix,
    SipLimits limits,
    int maxUdpMessageBytes,
    int maxConnections,
    int maxConnectionsPerAddress,
    Duration idleTimeout,
    Duration headerReadTimeout,
    Duration tlsHandshakeTimeout,
    Duration connectTimeout,
    @Nullable String advertisedHost) {

  public static final int DEFAULT_MAX_UDP_MESSAGE_BYTES = 1300;

  /**
   * 19,000: a node on a host that allows 20,000 open files per process holds that many clients and
   * keeps 1,000 descriptors for the database, the pool and its own files. A lower open-file limit
   * lowers the cap in force (see {@link SipTransportLayer#maxConnections()}).
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 19_000;

  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 50;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_HEADER_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** All listeners disabled, wildcard host, default limits. */
  public static SipTransportOptions defaults() {
    return new SipTransportOptions(
        "0.0.0.0",
        -1,
        -1,
        -1,
        null,
        null,
        false,
        "",
        SipLimits.defaults(),
        DEFAULT_MAX_UDP_MESSAGE_BYTES,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_HEADER_READ_TIMEOUT,
        DEFAULT_TLS_HANDSHAKE_TIMEOUT,
        DEFAULT_CONNECT_TIMEOUT,
        null);
  }

  public SipTransportOptions withHost(String host) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withUdpPort(int port) {
    return new SipTransportOptions(
        host,
        port,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withTcpPort(int port) {
    return new SipTransportOptions(
        host,
        udpPort,
        port,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withTlsPort(int port) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        port,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withTls(PemKeyCertOptions keyCert, @Nullable PemTrustOptions trust) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        keyCert,
        trust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withTlsRequireClientAuth(boolean require) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        require,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withFlowIdPrefix(String prefix) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        prefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withLimits(SipLimits newLimits) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        newLimits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withMaxUdpMessageBytes(int bytes) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        bytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withMaxConnections(int max) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        max,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withMaxConnectionsPerAddress(int max) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        max,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withIdleTimeout(Duration timeout) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        timeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withHeaderReadTimeout(Duration timeout) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        timeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withTlsHandshakeTimeout(Duration timeout) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        timeout,
        connectTimeout,
        advertisedHost);
  }

  public SipTransportOptions withConnectTimeout(Duration timeout) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        timeout,
        advertisedHost);
  }

  public SipTransportOptions withAdvertisedHost(@Nullable String advertised) {
    return new SipTransportOptions(
        host,
        udpPort,
        tcpPort,
        tlsPort,
        tlsKeyCert,
        tlsTrust,
        tlsRequireClientAuth,
        flowIdPrefix,
        limits,
        maxUdpMessageBytes,
        maxConnections,
        maxConnectionsPerAddress,
        idleTimeout,
        headerReadTimeout,
        tlsHandshakeTimeout,
        connectTimeout,
        advertised);
  }
}
