package io.parley.cluster;

import com.hazelcast.config.ClassFilter;
import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.SplitBrainProtectionConfig;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The pool's Hazelcast configuration, built in code so that no {@code cluster.xml} on the class
 * path can change it. Every choice and its reason is in {@code docs/cluster.md}.
 */
public final class PoolCluster {

  /** Member attribute carrying the Parley node id, so a departed member maps back to its node. */
  public static final String NODE_ATTRIBUTE = "parley.node";

  /** AOR → {@code AorBindings}. */
  public static final String BINDINGS_MAP = "parley.bindings";

  /** Lower-cased Contact URI → the AORs that registered it (an index for in-dialog routing). */
  public static final String CONTACTS_MAP = "parley.contacts";

  /** {@code realm NUL username} → last credentials the database returned. */
  public static final String CREDENTIALS_MAP = "parley.credentials";

  /** Split-brain protection guarding writes to the registration maps. */
  public static final String QUORUM_NAME = "parley-quorum";

  // Heartbeat every second, declare a member dead after 8 silent seconds: a lost node's bindings
  // are gone well inside the 15 s budget (detection + one executeOnEntries).
  static final int HEARTBEAT_SECONDS = 1;
  static final int MAX_NO_HEARTBEAT_SECONDS = 8;

  private PoolCluster() {}

  /** A config for {@code new HazelcastClusterManager(config)} (or a plain Hazelcast member). */
  public static Config hazelcastConfig(ClusterSettings s) {
    Config config = new Config();
    config.setClusterName(s.poolName());
    config.setInstanceName("parley-" + s.poolName() + "-" + s.nodeId() + "-" + s.port());
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, s.nodeId());
    properties(config);
    serialization(config);
    network(config, s);
    vertxStructures(config);
    poolStructures(config, s.minMembers());
    // Before the member is handed out: no schema is left to replicate on a Hazelcast thread.
    config.addListenerConfig(new ListenerConfig(new CompactSchemas()));
    return config;
  }

  private static void properties(Config config) {
    Map<String, String> p =
        Map.ofEntries(
            Map.entry("hazelcast.logging.type", "slf4j"),
            Map.entry("hazelcast.phone.home.enabled", "false"),
            // The node's composition root shuts Hazelcast down after draining SIP; a JVM hook
            // would race it and drop the member while calls are still being moved.
            Map.entry("hazelcast.shutdownhook.enabled", "false"),
            Map.entry("hazelcast.heartbeat.interval.seconds", String.valueOf(HEARTBEAT_SECONDS)),
            Map.entry(
                "hazelcast.max.no.heartbeat.seconds", String.valueOf(MAX_NO_HEARTBEAT_SECONDS)),
            // After a split heals, merge within a minute instead of five.
            Map.entry("hazelcast.merge.first.run.delay.seconds", "60"),
            Map.entry("hazelcast.merge.next.run.delay.seconds", "30"));
    p.forEach(config::setProperty);
  }

  /**
   * The member port accepts Java-serialized objects; without a filter anyone who can reach it can
   * make a member deserialize arbitrary classes (gadget chains). Only our own values, Vert.x's and
   * Hazelcast's and the JDK's (the filter's defaults) are accepted.
   */
  private static void serialization(Config config) {
    // Parley's own pool values and entry processors use Compact serialization (Hazelcast's
    // recommended format): Java serialization of them was ~11% of a REGISTER's CPU.
    List<CompactSerializer<?>> compact = new ArrayList<>(BindingSerializers.all());
    compact.addAll(PresenceSerializers.all());
    config
        .getSerializationConfig()
        .getCompactSerializationConfig()
        .setSerializers(compact.toArray(CompactSerializer<?>[]::new));
    config
        .getSerializationConfig()
        .setJavaSerializationFilterConfig(
            new JavaSerializationFilterConfig()
                .setWhitelist(
                    new ClassFilter()
                        .addPrefixes("io.parley.cluster.", "io.parley.presence.", "io.vertx.")));
  }

  private static void network(Config config, ClusterSettings s) {
    NetworkConfig net = config.getNetworkConfig();
    net.setPort(s.port());
    net.setPortAutoIncrement(false);
    boolean wildcard = s.bindHost().equals("0.0.0.0") || s.bindHost().equals("::");
    if (!wildcard) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      net.getInterfaces().setEnabled(true).addInterface(s.bindHost());
    }
    String advertised = s.advertisedHost();
    if (advertised != null && !advertised.isBlank()) {
      net.setPublicAddress(advertised + ":" + s.port());
    }
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    String dns = s.kubernetesServiceDns();
    if (dns != null && !dns.isBlank()) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", dns)
          .setProperty("service-dns-timeout", "5")
          .setProperty("service-port", String.valueOf(s.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(3);
      for (String member : s.members()) {
        join.getTcpIpConfig().addMember(member);
      }
      if (s.members().isEmpty()) {
        // A one-member pool: seeding with ourselves keeps TCP-IP join (and no multicast).
        join.getTcpIpConfig().addMember(hostForSelf(s) + ":" + s.port());
      }
    }
  }

  private static String hostForSelf(ClusterSettings s) {
    @Nullable String advertised = s.advertisedHost();
    if (advertised != null && !advertised.isBlank()) {
      return advertised;
    }
    boolean wildcard = s.bindHost().equals("0.0.0.0") || s.bindHost().equals("::");
    return wildcard ? "127.0.0.1" : s.bindHost();
  }

  /** What vertx-hazelcast's {@code default-cluster.xml} declares (Vert.x 5.0.7). */
  private static void vertxStructures(Config config) {
    config.addMultiMapConfig(
        new MultiMapConfig("__vertx.subs")
            .setBackupCount(1)
            .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
  }

  private static void poolStructures(Config config, int minMembers) {
    boolean quorum = minMembers > 1;
    if (quorum) {
      config.addSplitBrainProtectionConfig(
          new SplitBrainProtectionConfig(QUORUM_NAME, true, minMembers)
              .setProtectOn(SplitBrainProtectionOn.WRITE));
    }
    MapConfig bindings =
        new MapConfig(BINDINGS_MAP)
            .setBackupCount(1)
            .setAsyncBackupCount(0)
            .setInMemoryFormat(InMemoryFormat.BINARY)
            .setMergePolicyConfig(new MergePolicyConfig(BindingsMergePolicy.class.getName(), 100));
    MapConfig contacts =
        new MapConfig(CONTACTS_MAP)
            .setBackupCount(1)
            .setInMemoryFormat(InMemoryFormat.BINARY)
            .setMergePolicyConfig(new MergePolicyConfig(ContactsMergePolicy.class.getName(), 100));
    MapConfig credentials =
        new MapConfig(CREDENTIALS_MAP)
            .setBackupCount(1)
            .setInMemoryFormat(InMemoryFormat.BINARY)
            // Only provisioned users are stored, but bound the cache anyway: it must never outgrow
            // the heap.
            .setEvictionConfig(
                new EvictionConfig()
                    .setEvictionPolicy(EvictionPolicy.LRU)
                    .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
                    .setSize(200_000))
            .setMergePolicyConfig(
                new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(), 100));
    if (quorum) {
      bindings.setSplitBrainProtectionName(QUORUM_NAME);
      contacts.setSplitBrainProtectionName(QUORUM_NAME);
    }
    config.addMapConfig(bindings);
    config.addMapConfig(contacts);
    config.addMapConfig(credentials);
  }
}
