package io.parley.cluster;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How this node joins its pool's Hazelcast cluster (the {@code pool:} section of the node config).
 *
 * @param poolName Hazelcast cluster name; members of other pools on the same network are refused
 * @param nodeId this node's id ({@code [a-z0-9-]{1,40}}), published as member attribute {@value
 *     PoolCluster#NODE_ATTRIBUTE}
 * @param bindHost address the Hazelcast member listens on ({@code 0.0.0.0} = every interface)
 * @param advertisedHost address other members use to reach this one, or null to let Hazelcast pick
 *     the bind address (or, for a wildcard bind, the first non-loopback interface)
 * @param port Hazelcast member port (no auto-increment: a pool member has one well-known port)
 * @param members static TCP-IP seed list ({@code host:port}); ignored when {@code
 *     kubernetesServiceDns} is set
 * @param kubernetesServiceDns headless service name for Kubernetes DNS-lookup discovery, or null
 * @param minMembers split-brain protection: writes to the pool's maps need at least this many
 *     members; 0 or 1 turns the protection off
 */
public record ClusterSettings(
    String poolName,
    String nodeId,
    String bindHost,
    @Nullable String advertisedHost,
    int port,
    List<String> members,
    @Nullable String kubernetesServiceDns,
    int minMembers) {

  private static final Pattern NODE_ID = Pattern.compile("[a-z0-9-]{1,40}");

  public ClusterSettings {
    members = List.copyOf(members);
    if (poolName.isBlank()) {
      throw new IllegalArgumentException("pool name must not be blank");
    }
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("node id must match [a-z0-9-]{1,40}: " + nodeId);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (minMembers < 0) {
      throw new IllegalArgumentException("min-members must not be negative: " + minMembers);
    }
  }
}
