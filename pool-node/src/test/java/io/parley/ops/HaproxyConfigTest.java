package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** deploy/haproxy/haproxy.cfg: the local three-node layout, and HAProxy's own syntax check. */
class HaproxyConfigTest {

  static final Path CONFIG = DeployFiles.root().resolve("deploy/haproxy/haproxy.cfg");

  @Test
  void haproxyAcceptsTheConfig() throws Exception {
    assumeTrue(Haproxy.available(), "haproxy not installed");

    Process p =
        new ProcessBuilder(Haproxy.binary(), "-c", "-f", CONFIG.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).doesNotContainIgnoringCase("warning");
  }

  @Test
  void tcpAndTlsBackendsSpreadOverThreeNodesCheckedOnTheirReadinessEndpoint() throws IOException {
    Map<String, List<String>> sections = sections(Files.readAllLines(CONFIG));

    assertThat(sections.get("frontend sip_tcp")).contains("bind :5060");
    assertThat(sections.get("frontend sip_tls")).contains("bind :5061");
    assertThat(sections.get("backend parley_sip_tcp"))
        .contains(
            "balance leastconn",
            "option httpchk",
            "http-check expect status 200",
            "server node1 127.0.0.1:15061 check port 18081",
            "server node2 127.0.0.1:15062 check port 18082",
            "server node3 127.0.0.1:15063 check port 18083")
        .anyMatch(l -> l.startsWith("http-check send") && l.contains("uri /health/ready"));
    assertThat(sections.get("backend parley_sip_tls"))
        .contains(
            "balance leastconn",
            "server node1 127.0.0.1:15161 check port 18081",
            "server node2 127.0.0.1:15162 check port 18082",
            "server node3 127.0.0.1:15163 check port 18083")
        .anyMatch(l -> l.startsWith("http-check send") && l.contains("uri /health/ready"));
    assertThat(sections.get("defaults"))
        .contains("mode tcp", "timeout client 4h", "timeout server 4h")
        .anyMatch(
            l -> l.startsWith("default-server") && l.contains("on-marked-down shutdown-sessions"));
  }

  /** Section header → its lines, trimmed, comments dropped. */
  static Map<String, List<String>> sections(List<String> lines) {
    Map<String, List<String>> sections = new LinkedHashMap<>();
    List<String> current = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.replaceFirst("#.*", "").strip();
      if (line.isEmpty()) {
        continue;
      }
      if (!Character.isWhitespace(raw.charAt(0))) {
        current = new ArrayList<>();
        sections.put(line, current);
      } else {
        current.add(line.replaceAll("\\s+", " "));
      }
    }
    return sections;
  }
}
