package io.parley.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {

  private static final String MINIMAL =
      """
      sip:
        domains: [Example.COM]
      """;

  private final Map<String, String> env =
      Map.of("HOSTNAME", "Parley-Pod-0", "DB_URL", "jdbc:postgresql://db:5432/parley");
  private final NodeConfigLoader loader = new NodeConfigLoader(env::get);

  @Test
  void aMinimalFileGetsDocumentedDefaults() {
    NodeConfig c = loader.parse(MINIMAL, Path.of("/etc/parley"));

    assertThat(c.pool().name()).isEqualTo("parley");
    assertThat(c.pool().nodeId()).isEqualTo("parley-pod-0");
    assertThat(c.pool().port()).isEqualTo(5701);
    assertThat(c.pool().eventBusPort()).isEqualTo(5710);
    assertThat(c.pool().members()).isEmpty();
    assertThat(c.sip().domains()).containsExactly("example.com");
    assertThat(c.sip().udpPort()).isEqualTo(5060);
    assertThat(c.sip().tcpPort()).isEqualTo(5060);
    assertThat(c.sip().tlsPort()).isEqualTo(5061);
    assertThat(c.sip().maxConnections()).isEqualTo(19_000);
    assertThat(c.sip().maxConnectionsPerAddress()).isEqualTo(50);
    assertThat(c.tls().dir()).isEqualTo(Path.of("/etc/parley/tls"));
    assertThat(c.database()).isNull();
    assertThat(c.admin().port()).isEqualTo(8080);
    assertThat(c.drain().gracePeriod()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void everyKeyIsRead() {
    NodeConfig c =
        loader.parse(
            """
            pool:
              name: corp
              node-id: fe-1
              bind-host: 10.0.0.11
              advertised-host: fe-1.corp
              port: 5801
              event-bus-port: 5810
              members: ["10.0.0.11:5801", 10.0.0.12]
              min-members: 2
            sip:
              domains: [corp.example, partner.example]
              host: 10.0.0.11
              advertised-host: sip1.corp.example
              udp-port: -1
              tcp-port: 5070
              tls-port: 5071
              max-connections: 15000
              max-connections-per-address: 500
            tls:
              dir: /secrets/tls
            database:
              url: ${DB_URL}
              user: parley_app
              password: "p:a{s}s#"
            admin:
              host: 127.0.0.1
              port: 9090
            drain:
              grace-period: 2m
            """,
            Path.of("/etc/parley"));

    assertThat(c.pool())
        .isEqualTo(
            new NodeConfig.Pool(
                "corp",
                "fe-1",
                "10.0.0.11",
                "fe-1.corp",
                5801,
                5810,
                java.util.List.of("10.0.0.11:5801", "10.0.0.12"),
                null,
                2));
    assertThat(c.sip().udpPort()).isEqualTo(-1);
    assertThat(c.sip().advertisedHost()).isEqualTo("sip1.corp.example");
    assertThat(c.sip().maxConnectionsPerAddress()).isEqualTo(500);
    assertThat(c.tls().caCertificate()).isEqualTo(Path.of("/secrets/tls/ca.pem"));
    assertThat(c.database().url()).isEqualTo("jdbc:postgresql://db:5432/parley");
    assertThat(c.database().password()).isEqualTo("p:a{s}s#");
    assertThat(c.database().toString()).doesNotContain("p:a{s}s#");
    assertThat(c.admin()).isEqualTo(new NodeConfig.Admin("127.0.0.1", 9090));
    assertThat(c.drain().gracePeriod()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void environmentDefaultsAndListsFromOneVariable() {
    NodeConfig c =
        new NodeConfigLoader(Map.of("MEMBERS", "a:5701, b:5701")::get)
            .parse(
                """
                pool:
                  node-id: ${NODE:-node-7}
                  members: ${MEMBERS}
                sip:
                  domains: [example.com]
                """,
                Path.of("."));
    assertThat(c.pool().nodeId()).isEqualTo("node-7");
    assertThat(c.pool().members()).containsExactly("a:5701", "b:5701");
  }

  @Test
  void digestAlgorithmsDefaultToMd5ThenSha256AndCanBeNarrowed() {
    assertThat(loader.parse(MINIMAL, Path.of(".")).sip().digestAlgorithms())
        .containsExactly("MD5", "SHA-256");
    assertThat(
            loader
                .parse("sip:\n  domains: [a]\n  digest-algorithms: [md5]\n", Path.of("."))
                .sip()
                .digestAlgorithms())
        .containsExactly("MD5");
    assertThatThrownBy(
            () ->
                loader.parse("sip:\n  domains: [a]\n  digest-algorithms: [SHA-1]\n", Path.of(".")))
        .hasMessageContaining("sip.digest-algorithms: 'SHA-1' is not one of MD5, SHA-256");
  }

  @Test
  void aTypoIsAnErrorNamingTheKeyNotASilentDefault() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
                    sip:
                      domains: [example.com]
                      tcp-prot: 5070
                    """,
                    Path.of(".")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'sip.tcp-prot'")
        .hasMessageContaining("tcp-port");
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(
            () -> loader.parse("sip:\n  domains: [a]\n  tcp-port: 70000\n", Path.of(".")))
        .hasMessageContaining("sip.tcp-port: must be between -1 and 65535, got 70000");
    assertThatThrownBy(() -> loader.parse("sip:\n  domains: [a]\n  udp-port: five\n", Path.of(".")))
        .hasMessageContaining("sip.udp-port: expected a whole number, got 'five'");
    assertThatThrownBy(
            () -> loader.parse("pool:\n  node-id: Node_1!\nsip:\n  domains: [a]\n", Path.of(".")))
        .hasMessageContaining("pool.node-id");
    assertThatThrownBy(() -> loader.parse("pool: {}\n", Path.of(".")))
        .hasMessageContaining("sip.domains: at least one SIP domain is required");
    assertThatThrownBy(
            () -> loader.parse("sip:\n  domains: [a]\ndatabase:\n  url: mysql://x\n", Path.of(".")))
        .hasMessageContaining("database.url: must be a jdbc:postgresql: URL");
    assertThatThrownBy(
            () ->
                loader.parse("sip:\n  domains: [a]\ndrain:\n  grace-period: soon\n", Path.of(".")))
        .hasMessageContaining("drain.grace-period: expected a duration");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "pool:\n  members: [a]\n  kubernetes-service-dns: s\nsip:\n  domains: [a]\n",
                    Path.of(".")))
        .hasMessageContaining("either members");
    assertThatThrownBy(() -> loader.parse("sip:\n  domains: [a]\n  host: ${NOPE}\n", Path.of(".")))
        .hasMessageContaining("sip.host: environment variable NOPE is not set");
    assertThatThrownBy(() -> loader.parse("sip: [1, 2\n", Path.of(".")))
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void thePasswordCanComeFromAFileRelativeToTheConfig(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("db-password"), "s3cret\n");
    Path file = dir.resolve("parley.yaml");
    Files.writeString(
        file,
        """
        sip:
          domains: [example.com]
        database:
          url: jdbc:postgresql://db/parley
          password-file: db-password
        """);
    NodeConfig c = loader.load(file);
    assertThat(c.database().password()).isEqualTo("s3cret");
    assertThat(c.database().user()).isEqualTo("parley");
    assertThat(c.tls().dir()).isEqualTo(dir.resolve("tls"));
  }

  @Test
  void aMissingFileSaysSo(@TempDir Path dir) {
    assertThatThrownBy(() -> loader.load(dir.resolve("nope.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("does not exist");
  }
}
