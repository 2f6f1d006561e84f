package io.parley.cli;

import io.parley.app.JdbcCredentialSource;
import io.parley.db.Database;
import io.parley.node.SipNode;
import io.parley.node.SipNodeConfig;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.routing.ProxyCore;
import io.parley.routing.ProxyIdentity;
import io.parley.routing.UserExistence;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.sip.transport.SipTransportOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a standalone node: Vert.x, the SIP node with its registrar (in memory:
 * one node needs no Hazelcast) and proxy, wired to the database.
 */
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
      int maxConnectionsPerAddress) {}

  private final Vertx vertx;
  private final SipNode node;
  private final Settings settings;

  private StandaloneNode(Vertx vertx, SipNode node, Settings settings) {
    this.vertx = vertx;
    this.node = node;
    this.settings = settings;
  }

  /** Starts the node; blocks the calling (CLI) thread until the listeners are bound. */
  static StandaloneNode start(Settings s, Database db) throws Exception {
    byte[] digestKey = db.settings().getOrCreateSecret(DIGEST_KEY_SETTING, 32);
    String advertised = s.advertisedHost() != null ? s.advertisedHost() : advertisedHost(s.host());
    SipTransportOptions transport =
        SipTransportOptions.defaults()
            .withHost(s.host())
            .withUdpPort(s.udpPort())
            .withTcpPort(s.tcpPort())
            .withTlsPort(s.tlsPort())
            .withMaxConnections(s.maxConnections())
            .withMaxConnectionsPerAddress(s.maxConnectionsPerAddress())
            .withAdvertisedHost(advertised);
    if (s.tlsPort() >= 0) {
      transport =
          transport.withTls(
              new PemKeyCertOptions()
                  .setCertPath(s.tlsDir().resolve("node.pem").toString())
                  .setKeyPath(s.tlsDir().resolve("node-key.pem").toString()),
              new PemTrustOptions().addCertPath(s.tlsDir().resolve("ca.pem").toString()));
    }
    SipNodeConfig config =
        SipNodeConfig.of(List.of(s.domain()), s.host(), s.udpPort(), s.tcpPort())
            .withNodeId(NODE_ID)
            .withTransport(transport);

    Vertx vertx = Vertx.vertx();
    Set<String> aliases = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", advertised));
    if (!isWildcard(s.host())) {
      aliases.add(s.host());
    }
    UserExistence users =
        aor -> vertx.executeBlocking(() -> db.users().findBySipUri(aor).isPresent(), false);
    SipNode node =
        new SipNode(
            vertx,
            config,
            new JdbcCredentialSource(vertx, db.credentials()),
            digestKey,
            new InMemoryLocationStore(),
            services ->
                new ProxyCore(
                    services.transactions(),
                    services.transport(),
                    new VertxSipTimers(services.vertx(), services.context()),
                    services.locations(),
                    Set.of(s.domain()),
                    new ProxyIdentity(NODE_ID, aliases),
                    users));
    try {
      await(node.start(), Duration.ofSeconds(30));
    } catch (Exception e) {
      await(vertx.close(), Duration.ofSeconds(10));
      if (e instanceof BindException) {
        throw new CliErrors.CliException(busyListener(s) + " is already in use", e);
      }
      throw e;
    }
    return new StandaloneNode(vertx, node, s);
  }

  /** Human-readable listener URIs with the actual ports. */
  List<String> listeners() {
    List<String> out = new ArrayList<>();
    String h = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    if (node.actualUdpPort() >= 0) {
      out.add("sip:" + h + ":" + node.actualUdpPort() + ";transport=udp");
    }
    if (node.actualTcpPort() >= 0) {
      out.add("sip:" + h + ":" + node.actualTcpPort() + ";transport=tcp");
    }
    if (node.actualTlsPort() >= 0) {
      out.add("sips:" + h + ":" + node.actualTlsPort() + ";transport=tls");
    }
    return Collections.unmodifiableList(out);
  }

  /** Closes every connection and stops Vert.x; blocks up to a few seconds. */
  void stop() {
    try {
      await(node.stop(), Duration.ofSeconds(10));
    } catch (Exception e) {
      log.warn("stopping the SIP node: {}", e.toString());
    }
    try {
      await(vertx.close(), Duration.ofSeconds(10));
    } catch (Exception e) {
      log.warn("closing Vert.x: {}", e.toString());
    }
  }

  /** Names the listener whose port could not be bound (Vert.x's BindException does not say). */
  private static String busyListener(Settings s) {
    String h = s.host();
    if (s.udpPort() > 0 && !canBind(h, s.udpPort(), true)) {
      return "UDP port " + h + ":" + s.udpPort();
    }
    if (s.tcpPort() > 0 && !canBind(h, s.tcpPort(), false)) {
      return "TCP port " + h + ":" + s.tcpPort();
    }
    if (s.tlsPort() > 0 && !canBind(h, s.tlsPort(), false)) {
      return "TLS port " + h + ":" + s.tlsPort();
    }
    return "a SIP port (udp " + s.udpPort() + ", tcp " + s.tcpPort() + ", tls " + s.tlsPort() + ")";
  }

  private static boolean canBind(String host, int port, boolean udp) {
    try {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
      if (udp) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
          socket.bind(address);
        }
      } else {
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(address);
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
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
    if (!isWildcard(host)) {
      return host;
    }
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback() || nif.isVirtual()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      log.debug("cannot list network interfaces: {}", e.toString());
    }
    return "127.0.0.1";
  }

  private static <T> T await(Future<T> future, Duration timeout) throws Exception {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new CliErrors.CliException("timed out after " + timeout.toSeconds() + " s", e);
    }
  }
}
