package io.parley.cli;

import io.parley.config.NetworkAddresses;
import io.parley.config.NodeConfig;
import io.parley.db.Database;
import io.parley.pool.PoolNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A standalone node: a {@link PoolNode} of one member on the embedded database. */
final class StandaloneNode {

  private static final Logger log = LoggerFactory.getLogger(StandaloneNode.class);
  private static final String DIGEST_KEY_SETTING = "digest.nonce-key";
  static final String NODE_ID = "standalone";

  record Settings(
      String domain,
      String host,
      @Nullable String advertisedHost,
      int udpPort,
      int tcpPort,
      int tlsPort,
      Path tlsDir,
      int maxConnections,
      int maxConnectionsPerAddress,
      int adminPort,
      int xcapPort,
      List<String> digestAlgorithms) {}

  private final PoolNode node;

  private StandaloneNode(PoolNode node) {
    this.node = node;
  }

  /**
   * Starts the node as a pool of one (the same code path as a pool member: Hazelcast on loopback
   * under a cluster name nobody else uses, so two standalone nodes on one machine never merge).
   * Blocks the calling (CLI) thread until the listeners are bound.
   */
  static StandaloneNode start(Settings s, Database db) throws Exception {
    String advertised = s.advertisedHost() != null ? s.advertisedHost() : advertisedHost(s.host());
    NodeConfig config =
        new NodeConfig(
            new NodeConfig.Pool(
                "standalone-" + HexFormat.of().formatHex(randomBytes(6)),
                NODE_ID,
                "127.0.0.1",
                "127.0.0.1",
                freeTcpPort(),
                0,
                List.of(),
                null,
                0),
            new NodeConfig.Sip(
                List.of(s.domain()),
                s.host(),
                advertised,
                s.udpPort(),
                s.tcpPort(),
                s.tlsPort(),
                s.maxConnections(),
                s.maxConnectionsPerAddress(),
                s.digestAlgorithms()),
            new NodeConfig.Tls(s.tlsDir()),
            null,
            new NodeConfig.Admin("127.0.0.1", s.adminPort()),
            new NodeConfig.Drain(Duration.ZERO),
            new NodeConfig.Xcap(s.host(), s.xcapPort()));
    return new StandaloneNode(PoolNode.start(config, db));
  }

  /** Human-readable listener URIs with the actual ports. */
  List<String> listeners() {
    return node.listeners();
  }

  /** Closes every connection and stops Vert.x; blocks up to a few seconds. */
  void stop() {
    node.stop();
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }

  /**
   * The address put in Via and Record-Route when none was given: the listen address, or for a
   * wildcard listener this machine's first non-loopback IPv4 address (so clients on the network can
   * reach it in dialogs), else 127.0.0.1.
   */
  static String advertisedHost(String host) {
    return isWildcard(host) ? NetworkAddresses.firstNonLoopbackIpv4().orElse("127.0.0.1") : host;
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** A free loopback port for this node's private Hazelcast listener. */
  private static int freeTcpPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
