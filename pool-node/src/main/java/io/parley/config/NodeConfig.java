package io.parley.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Everything a pool member needs to start, as read from {@code parley.yaml} (see
 * docs/configuration.md for every key). Values are complete and validated: {@link NodeConfigLoader}
 * fills defaults and rejects nonsense before anything starts.
 */
public record NodeConfig(
    Pool pool, Sip sip, Tls tls, @Nullable Database database, Admin admin, Drain drain, Xcap xcap) {

  /**
   * Pool membership.
   *
   * @param name Hazelcast cluster name: members with another name never join
   * @param nodeId this member's id, unique in the pool ({@code [a-z0-9-]{1,40}})
   * @param bindHost listen address of the Hazelcast and event-bus ports
   * @param advertisedHost the address other members reach this one at
   * @param port Hazelcast member port (private to the pool)
   * @param eventBusPort clustered event-bus port (mutual TLS; private to the pool)
   * @param members static discovery: {@code host[:port]} of (some) other members
   * @param kubernetesServiceDns DNS name of the headless service listing the members, or null
   * @param minMembers split-brain protection: writes need this many members (0 or 1: off)
   */
  public record Pool(
      String name,
      String nodeId,
      String bindHost,
      String advertisedHost,
      int port,
      int eventBusPort,
      List<String> members,
      @Nullable String kubernetesServiceDns,
      int minMembers) {}

  /**
   * SIP listeners.
   *
   * @param domains the SIP domains served; the first is the default realm
   * @param tlsPort -1 disables TLS
   */
  public record Sip(
      List<String> domains,
      String host,
      String advertisedHost,
      int udpPort,
      int tcpPort,
      int tlsPort,
      int maxConnections,
      int maxConnectionsPerAddress,
      List<String> digestAlgorithms) {}

  /**
   * The pool CA and this member's certificate: {@code ca.pem}, {@code node.pem}, {@code
   * node-key.pem}.
   */
  public record Tls(Path dir) {
    public Path caCertificate() {
      return dir.resolve("ca.pem");
    }

    public Path nodeCertificate() {
      return dir.resolve("node.pem");
    }

    public Path nodeKey() {
      return dir.resolve("node-key.pem");
    }
  }

  /** The external PostgreSQL; the password is never printed. */
  public record Database(String url, String user, String password) {
    @Override
    public String toString() {
      return "Database[url=" + url + ", user=" + user + "]";
    }
  }

  /** Admin HTTP listener (health, metrics, drain); port -1 disables it. */
  public record Admin(String host, int port) {}

  /**
   * XCAP over HTTPS (contact lists, presence rules; docs/xcap.md) with the node certificate; port
   * -1 disables it.
   */
  public record Xcap(String host, int port) {}

  /** How long a draining node waits for its clients to leave before closing their connections. */
  public record Drain(Duration gracePeriod) {}
}
