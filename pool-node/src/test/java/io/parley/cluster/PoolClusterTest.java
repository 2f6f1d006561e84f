package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.XmlConfigBuilder;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionOn;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoolClusterTest {

  private static ClusterSettings settings(
      List<String> members, String dns, int minMembers, String bind, String advertised) {
    return new ClusterSettings(
        "parley", "node-1", bind, advertised, 5701, members, dns, minMembers);
  }

  private static Config staticPool(int minMembers) {
    return PoolCluster.hazelcastConfig(
        settings(
            List.of("10.0.0.11:5701", "10.0.0.12:5701"), null, minMembers, "0.0.0.0", "10.0.0.11"));
  }

  @Test
  void containsEveryStructureVertxDefaultClusterXmlDeclares() throws Exception {
    Config vertxDefault;
    try (InputStream in =
        io.vertx.spi.cluster.hazelcast.HazelcastClusterManager.class
            .getClassLoader()
            .getResourceAsStream("default-cluster.xml")) {
      assertThat(in).as("vertx-hazelcast's default-cluster.xml").isNotNull();
      vertxDefault = new XmlConfigBuilder(in).build();
    }
    Config ours = staticPool(1);

    for (Map.Entry<String, MapConfig> e : vertxDefault.getMapConfigs().entrySet()) {
      assertThat(ours.getMapConfigs()).containsKey(e.getKey());
      assertThat(ours.getMapConfig(e.getKey()).getBackupCount())
          .isEqualTo(e.getValue().getBackupCount());
    }
    for (Map.Entry<String, MultiMapConfig> e : vertxDefault.getMultiMapConfigs().entrySet()) {
      MultiMapConfig mine = ours.getMultiMapConfigs().get(e.getKey());
      assertThat(mine).as(e.getKey()).isNotNull();
      assertThat(mine.getBackupCount()).isEqualTo(e.getValue().getBackupCount());
      assertThat(mine.getValueCollectionType()).isEqualTo(e.getValue().getValueCollectionType());
    }
    assertThat(
            vertxDefault.getMapConfigs().keySet().size() + vertxDefault.getMultiMapConfigs().size())
        .as("the structures this test guards")
        .isEqualTo(3);
  }

  @Test
  void staticPoolJoinsOverTcpIpWithItsMemberListOnly() {
    Config c = staticPool(1);

    JoinConfig join = c.getNetworkConfig().getJoin();
    assertThat(c.getClusterName()).isEqualTo("parley");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers())
        .containsExactly("10.0.0.11:5701", "10.0.0.12:5701");
    assertThat(c.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(c.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(c.getNetworkConfig().getPublicAddress()).isEqualTo("10.0.0.11:5701");
    assertThat(c.getMemberAttributeConfig().getAttribute(PoolCluster.NODE_ATTRIBUTE))
        .isEqualTo("node-1");
  }

  @Test
  void quietSafeAndQuickToNoticeALostMember() {
    Config c = staticPool(1);

    assertThat(c.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(c.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(c.getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
    int heartbeat = Integer.parseInt(c.getProperty("hazelcast.heartbeat.interval.seconds"));
    int silence = Integer.parseInt(c.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertThat(heartbeat).isLessThan(silence);
    assertThat(silence).as("leaves time for cleanup inside 15 s").isLessThanOrEqualTo(10);
  }

  @Test
  void javaDeserializationIsLimitedToKnownPackages() {
    var filter = staticPool(1).getSerializationConfig().getJavaSerializationFilterConfig();

    assertThat(filter).isNotNull();
    assertThat(filter.isDefaultsDisabled()).isFalse();
    assertThat(filter.getWhitelist().getPrefixes()).contains("io.parley.cluster.", "io.vertx.");
  }

  @Test
  void kubernetesDnsLookupReplacesTheMemberList() {
    Config c =
        PoolCluster.hazelcastConfig(
            settings(
                List.of("10.0.0.11:5701"),
                "parley-pool.parley.svc.cluster.local",
                1,
                "0.0.0.0",
                null));

    JoinConfig join = c.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns"))
        .isEqualTo("parley-pool.parley.svc.cluster.local");
    assertThat(c.getNetworkConfig().getPublicAddress()).isNull();
  }

  @Test
  void concreteBindHostRestrictsTheInterfaces() {
    Config c = PoolCluster.hazelcastConfig(settings(List.of(), null, 1, "10.0.0.11", null));

    assertThat(c.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(c.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.11");
    assertThat(c.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(c.getNetworkConfig().getJoin().getTcpIpConfig().getMembers())
        .as("a lone member seeds with itself")
        .containsExactly("10.0.0.11:5701");
  }

  @Test
  void minMembersAboveOneGuardsRegistrationWritesOnly() {
    Config guarded = staticPool(2);
    Config open = staticPool(1);

    assertThat(
            guarded.getSplitBrainProtectionConfig(PoolCluster.QUORUM_NAME).getMinimumClusterSize())
        .isEqualTo(2);
    assertThat(guarded.getSplitBrainProtectionConfig(PoolCluster.QUORUM_NAME).getProtectOn())
        .isEqualTo(SplitBrainProtectionOn.WRITE);
    assertThat(guarded.getMapConfig(PoolCluster.BINDINGS_MAP).getSplitBrainProtectionName())
        .isEqualTo(PoolCluster.QUORUM_NAME);
    assertThat(guarded.getMapConfig(PoolCluster.CONTACTS_MAP).getSplitBrainProtectionName())
        .isEqualTo(PoolCluster.QUORUM_NAME);
    assertThat(guarded.getMapConfig(PoolCluster.CREDENTIALS_MAP).getSplitBrainProtectionName())
        .isNull();
    assertThat(open.getMapConfig(PoolCluster.BINDINGS_MAP).getSplitBrainProtectionName()).isNull();
    assertThat(open.getSplitBrainProtectionConfigs()).isEmpty();
  }

  @Test
  void bindingsAreBackedUpSynchronouslyAndMergedByUnion() {
    MapConfig bindings = staticPool(1).getMapConfig(PoolCluster.BINDINGS_MAP);

    assertThat(bindings.getBackupCount()).isEqualTo(1);
    assertThat(bindings.getAsyncBackupCount()).isZero();
    assertThat(bindings.getMergePolicyConfig().getPolicy())
        .isEqualTo(BindingsMergePolicy.class.getName());
  }

  @Test
  void refusesNodeIdsOutsideTheContract() {
    assertThatThrownBy(
            () ->
                new ClusterSettings("parley", "Node_1", "0.0.0.0", null, 5701, List.of(), null, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
