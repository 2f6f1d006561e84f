package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * No cluster here: the manifests are parsed and checked for agreement with each other and with the
 * node defaults (POOL-API: Hazelcast 5701, event bus 5710, SIP 5060/5061, admin 8080).
 */
class KubernetesManifestsTest {

  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final Path K8S = DeployFiles.root().resolve("deploy/k8s");
  private static final String NAMESPACE = "parley";

  /** kind/name → resource, from everything the monitoring kustomization (base + extra) lists. */
  private static Map<String, JsonNode> resources;

  private static JsonNode nodeConfig;

  @BeforeAll
  static void load() throws IOException {
    resources = new HashMap<>();
    collect(K8S.resolve("monitoring"), resources);
    nodeConfig =
        YAML.readTree(
            resource("ConfigMap", "parley-config").path("data").path("parley.yaml").asString());
  }

  private static void collect(Path kustomizationDir, Map<String, JsonNode> into)
      throws IOException {
    JsonNode k = YAML.readTree(kustomizationDir.resolve("kustomization.yaml").toFile());
    for (JsonNode entry : k.path("resources").values()) {
      Path p = kustomizationDir.resolve(entry.asString()).normalize();
      if (Files.isDirectory(p)) {
        collect(p, into);
      } else {
        for (JsonNode doc : documents(p)) {
          String key =
              doc.path("kind").asString() + "/" + doc.path("metadata").path("name").asString();
          assertThat(into.put(key, doc)).as("duplicate %s", key).isNull();
        }
      }
    }
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static JsonNode resource(String kind, String name) {
    JsonNode r = resources.get(kind + "/" + name);
    assertThat(r).as("%s/%s in the kustomization", kind, name).isNotNull();
    return r;
  }

  @Test
  void everyManifestParsesAndOnlyThePlaceholderSecretsAreLeftOutOfTheKustomization()
      throws IOException {
    Set<String> listed = new HashSet<>();
    for (String dir : List.of("", "monitoring")) {
      Path base = K8S.resolve(dir);
      for (JsonNode e :
          YAML.readTree(base.resolve("kustomization.yaml").toFile()).path("resources").values()) {
        listed.add(base.resolve(e.asString()).normalize().toString());
      }
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(K8S)) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
    for (Path f : files) {
      assertThat(documents(f)).as("%s has documents", f).isNotEmpty();
      if (f.getFileName().toString().equals("kustomization.yaml")) {
        continue;
      }
      if (f.getFileName().toString().equals("secrets.example.yaml")) {
        // Re-applying placeholders would overwrite the real password and certificates.
        assertThat(listed).doesNotContain(f.normalize().toString());
      } else {
        assertThat(listed).as("listed in a kustomization").contains(f.normalize().toString());
      }
    }
  }

  @Test
  void theExpectedObjectsExistAllInTheParleyNamespace() {
    assertThat(resources.keySet())
        .containsExactlyInAnyOrder(
            "Namespace/parley",
            "ConfigMap/parley-config",
            "Service/parley-pool",
            "Service/parley-sip",
            "Service/parley-admin",
            "Service/parley-db",
            "StatefulSet/parley",
            "PodDisruptionBudget/parley",
            "NetworkPolicy/parley",
            "ServiceMonitor/parley");
    resources.forEach(
        (key, r) -> {
          if (!key.startsWith("Namespace/")) {
            assertThat(r.path("metadata").path("namespace").asString())
                .as(key)
                .isEqualTo(NAMESPACE);
          }
        });
  }

  @Test
  void nodeConfigKeepsThePoolDefaultsAndFindsMembersThroughTheHeadlessService() {
    JsonNode pool = nodeConfig.path("pool");
    assertThat(pool.path("port").asInt()).isEqualTo(5701);
    assertThat(pool.path("event-bus-port").asInt()).isEqualTo(5710);
    assertThat(pool.path("members").isMissingNode()).isTrue();
    assertThat(pool.path("kubernetes-service-dns").asString())
        .isEqualTo("parley-pool." + NAMESPACE + ".svc.cluster.local");
    assertThat(pool.path("node-id").asString()).isEqualTo("${PARLEY_NODE_ID}");
    assertThat(nodeConfig.path("sip").path("udp-port").asInt()).isEqualTo(5060);
    assertThat(nodeConfig.path("sip").path("tcp-port").asInt()).isEqualTo(5060);
    assertThat(nodeConfig.path("sip").path("tls-port").asInt()).isEqualTo(5061);
    assertThat(nodeConfig.path("admin").path("port").asInt()).isEqualTo(8080);
    assertThat(nodeConfig.path("database").path("url").asString())
        .startsWith("jdbc:postgresql://parley-db." + NAMESPACE + ".svc.cluster.local:5432/");
    assertThat(resource("Service", "parley-db").path("spec").path("type").asString())
        .isEqualTo("ExternalName");
  }

  @Test
  void statefulSetRunsThreeNodesWithProbesOnTheAdminPort() {
    JsonNode spec = resource("StatefulSet", "parley").path("spec");
    JsonNode pod = spec.path("template").path("spec");
    JsonNode container = pod.path("containers").get(0);
    Map<String, Integer> ports = containerPorts(container);

    assertThat(spec.path("replicas").asInt()).isEqualTo(3);
    assertThat(spec.path("serviceName").asString()).isEqualTo("parley-pool");
    assertThat(container.path("image").asString()).isEqualTo("parley/pool-node:0.1.0");
    assertThat(ports)
        .containsEntry("sip-udp/UDP", nodeConfig.path("sip").path("udp-port").asInt())
        .containsEntry("sip-tcp/TCP", nodeConfig.path("sip").path("tcp-port").asInt())
        .containsEntry("sip-tls/TCP", nodeConfig.path("sip").path("tls-port").asInt())
        .containsEntry("hazelcast/TCP", nodeConfig.path("pool").path("port").asInt())
        .containsEntry("eventbus/TCP", nodeConfig.path("pool").path("event-bus-port").asInt())
        .containsEntry("admin/TCP", nodeConfig.path("admin").path("port").asInt());
    assertThat(probe(container, "livenessProbe")).isEqualTo("/health/live@admin");
    assertThat(probe(container, "startupProbe")).isEqualTo("/health/live@admin");
    assertThat(probe(container, "readinessProbe")).isEqualTo("/health/ready@admin");
  }

  @Test
  void statefulSetMountsWhatTheNodeConfigPointsAt() {
    JsonNode pod = resource("StatefulSet", "parley").path("spec").path("template").path("spec");
    JsonNode container = pod.path("containers").get(0);
    Map<String, String> mounts = new HashMap<>();
    for (JsonNode m : container.path("volumeMounts").values()) {
      mounts.put(m.path("name").asString(), m.path("mountPath").asString());
    }
    List<String> command = new ArrayList<>();
    container.path("command").values().forEach(c -> command.add(c.asString()));
    Map<String, String> env = new HashMap<>();
    container
        .path("env")
        .values()
        .forEach(
            e ->
                env.put(
                    e.path("name").asString(),
                    e.path("valueFrom").path("fieldRef").path("fieldPath").asString()));

    assertThat(command).containsSubsequence("--config", mounts.get("config"));
    assertThat(command.get(0)).isEqualTo("bin/parley");
    assertThat(command.get(1)).isEqualTo("node");
    assertThat(nodeConfig.path("tls").path("dir").asString()).isEqualTo(mounts.get("pool-tls"));
    String passwordFile = nodeConfig.path("database").path("password-file").asString();
    JsonNode dbVolume = volume(pod, "db-password");
    assertThat(passwordFile)
        .isEqualTo(
            mounts.get("db-password")
                + "/"
                + dbVolume.path("secret").path("items").get(0).path("path").asString());
    assertThat(volume(pod, "pool-tls").path("secret").path("secretName").asString())
        .isEqualTo("parley-pool-tls");
    assertThat(dbVolume.path("secret").path("secretName").asString()).isEqualTo("parley-db");
    assertThat(volume(pod, "config").path("configMap").path("name").asString())
        .isEqualTo("parley-config");
    assertThat(env)
        .containsEntry("PARLEY_NODE_ID", "metadata.name")
        .containsEntry("POD_IP", "status.podIP");
  }

  @Test
  void terminationGraceOutlastsTheDrainGracePeriod() {
    JsonNode pod = resource("StatefulSet", "parley").path("spec").path("template").path("spec");
    int drainSeconds = seconds(nodeConfig.path("drain").path("grace-period").asString());

    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(drainSeconds + 10);
    assertThat(
            pod.path("containers")
                .get(0)
                .path("lifecycle")
                .path("preStop")
                .path("exec")
                .path("command")
                .get(1)
                .asString())
        .isEqualTo("drain");
  }

  @Test
  void headlessPoolServicePublishesNotReadyMembersOnThePrivatePorts() {
    JsonNode spec = resource("Service", "parley-pool").path("spec");

    assertThat(spec.path("clusterIP").asString()).isEqualTo("None");
    assertThat(spec.path("publishNotReadyAddresses").asBoolean()).isTrue();
    assertThat(servicePorts(spec)).containsExactlyInAnyOrder("5701/TCP", "5710/TCP");
  }

  @Test
  void sipServiceIsALoadBalancerWithClientAffinityForUdpTcpAndTls() {
    JsonNode spec = resource("Service", "parley-sip").path("spec");

    assertThat(spec.path("type").asString()).isEqualTo("LoadBalancer");
    assertThat(spec.path("sessionAffinity").asString()).isEqualTo("ClientIP");
    assertThat(spec.path("externalTrafficPolicy").asString()).isEqualTo("Local");
    assertThat(servicePorts(spec)).containsExactlyInAnyOrder("5060/UDP", "5060/TCP", "5061/TCP");
  }

  @Test
  void servicesBudgetAndPolicySelectThePoolPodsAndNamedPortsExist() {
    JsonNode template = resource("StatefulSet", "parley").path("spec").path("template");
    Map<String, String> podLabels = labels(template.path("metadata").path("labels"));
    Map<String, Integer> ports = containerPorts(template.path("spec").path("containers").get(0));
    Set<String> portNames = new HashSet<>();
    ports.keySet().forEach(k -> portNames.add(k));

    for (String name : List.of("parley-pool", "parley-sip", "parley-admin")) {
      JsonNode spec = resource("Service", name).path("spec");
      assertThat(podLabels).as(name).containsAllEntriesOf(labels(spec.path("selector")));
      for (JsonNode p : spec.path("ports").values()) {
        assertThat(portNames)
            .as("%s target port", name)
            .contains(p.path("targetPort").asString() + "/" + p.path("protocol").asString());
      }
    }
    assertThat(
            labels(
                resource("StatefulSet", "parley")
                    .path("spec")
                    .path("selector")
                    .path("matchLabels")))
        .isEqualTo(labels(resource("Service", "parley-pool").path("spec").path("selector")));
    JsonNode pdb = resource("PodDisruptionBudget", "parley").path("spec");
    assertThat(pdb.path("maxUnavailable").asInt()).isEqualTo(1);
    assertThat(podLabels).containsAllEntriesOf(labels(pdb.path("selector").path("matchLabels")));
    assertThat(podLabels)
        .containsAllEntriesOf(
            labels(
                resource("NetworkPolicy", "parley")
                    .path("spec")
                    .path("podSelector")
                    .path("matchLabels")));
  }

  @Test
  void networkPolicyAdmitsHazelcastAndEventBusOnlyFromPoolPods() {
    JsonNode template = resource("StatefulSet", "parley").path("spec").path("template");
    Map<String, String> podLabels = labels(template.path("metadata").path("labels"));
    JsonNode spec = resource("NetworkPolicy", "parley").path("spec");
    Set<Integer> privatePorts = Set.of(5701, 5710);
    Set<Integer> seenPrivate = new HashSet<>();

    assertThat(spec.path("policyTypes").values())
        .extracting(JsonNode::asString)
        .contains("Ingress");
    for (JsonNode rule : spec.path("ingress").values()) {
      List<Integer> rulePorts = new ArrayList<>();
      rule.path("ports").values().forEach(p -> rulePorts.add(p.path("port").asInt()));
      assertThat(rule.path("ports").isMissingNode())
          .as("a rule without ports opens everything")
          .isFalse();
      if (rulePorts.stream().noneMatch(privatePorts::contains)) {
        continue;
      }
      seenPrivate.addAll(rulePorts);
      assertThat(rule.path("from").isArray()).as("private ports need a 'from'").isTrue();
      for (JsonNode peer : rule.path("from").values()) {
        assertThat(peer.has("namespaceSelector") || peer.has("ipBlock"))
            .as("peer %s", peer)
            .isFalse();
        Map<String, String> selector = labels(peer.path("podSelector").path("matchLabels"));
        assertThat(selector).containsEntry("app.kubernetes.io/component", "pool-node");
        assertThat(podLabels).containsAllEntriesOf(selector);
      }
    }
    assertThat(seenPrivate).containsAll(privatePorts);
  }

  @Test
  void prometheusScrapesTheAdminPort() {
    JsonNode template = resource("StatefulSet", "parley").path("spec").path("template");
    JsonNode annotations = template.path("metadata").path("annotations");
    JsonNode monitor = resource("ServiceMonitor", "parley").path("spec");
    JsonNode admin = resource("Service", "parley-admin");

    assertThat(annotations.path("prometheus.io/scrape").asString()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asInt()).isEqualTo(8080);
    assertThat(annotations.path("prometheus.io/path").asString()).isEqualTo("/metrics");
    assertThat(labels(admin.path("metadata").path("labels")))
        .containsAllEntriesOf(labels(monitor.path("selector").path("matchLabels")));
    assertThat(monitor.path("endpoints").get(0).path("port").asString())
        .isEqualTo(admin.path("spec").path("ports").get(0).path("name").asString());
    assertThat(monitor.path("endpoints").get(0).path("path").asString()).isEqualTo("/metrics");
  }

  @Test
  void placeholderSecretsCarryTheKeysTheStatefulSetExpects() throws IOException {
    Map<String, Set<String>> keys = new HashMap<>();
    for (JsonNode s : documents(K8S.resolve("secrets.example.yaml"))) {
      assertThat(s.path("kind").asString()).isEqualTo("Secret");
      keys.put(
          s.path("metadata").path("name").asString(),
          new HashSet<>(s.path("stringData").propertyNames()));
    }

    assertThat(keys).containsEntry("parley-db", Set.of("password"));
    assertThat(keys).containsEntry("parley-pool-tls", Set.of("ca.pem", "node.pem", "node-key.pem"));
  }

  // ------------------------------------------------------------------ helpers

  private static Map<String, Integer> containerPorts(JsonNode container) {
    Map<String, Integer> ports = new HashMap<>();
    for (JsonNode p : container.path("ports").values()) {
      ports.put(
          p.path("name").asString() + "/" + p.path("protocol").asString("TCP"),
          p.path("containerPort").asInt());
    }
    return ports;
  }

  private static List<String> servicePorts(JsonNode spec) {
    List<String> ports = new ArrayList<>();
    spec.path("ports")
        .values()
        .forEach(p -> ports.add(p.path("port").asInt() + "/" + p.path("protocol").asString("TCP")));
    return ports;
  }

  private static String probe(JsonNode container, String name) {
    JsonNode get = container.path(name).path("httpGet");
    return get.path("path").asString() + "@" + get.path("port").asString();
  }

  private static JsonNode volume(JsonNode podSpec, String name) {
    for (JsonNode v : podSpec.path("volumes").values()) {
      if (v.path("name").asString().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> m = new HashMap<>();
    node.properties().forEach(e -> m.put(e.getKey(), e.getValue().asString()));
    return m;
  }

  private static int seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)([sm])").matcher(duration);
    assertThat(m.matches()).as("duration %s", duration).isTrue();
    int n = Integer.parseInt(m.group(1));
    return m.group(2).equals("m") ? n * 60 : n;
  }
}
