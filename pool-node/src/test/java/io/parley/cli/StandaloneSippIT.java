package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newcomer's path, with an independent client: {@code bin/parley standalone --demo} runs as its
 * own process, and SIPp (Debian's sip-tester) signs alice in with Digest, has a MESSAGE routed
 * through Parley, and gets 404 for an unknown user and 480 for a signed-out one.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StandaloneSippIT {

  @TempDir static Path dir;
  static StandaloneProcess node;

  @BeforeAll
  static void startNode() throws Exception {
    node =
        StandaloneProcess.startStandalone(
            dir.resolve("data"),
            "--demo",
            "--host",
            "127.0.0.1",
            "--udp-port",
            "0",
            "--tcp-port",
            "0",
            "--tls-port",
            "0");
    assertThat(node.awaitReady(Duration.ofMinutes(3))).as("node ready:%n%s", node.text()).isTrue();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  static Path sipp() {
    for (String p : List.of("/usr/bin/sipp", "/usr/local/bin/sipp")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    throw new AssertionError(
        "SIPp is not installed: apt-get install sip-tester (.ci/run does this)");
  }

  private SippRun runScenario(String transport, int port) throws Exception {
    Path scenario = Path.of("src/test/resources/sipp/register-message-uac.xml").toAbsolutePath();
    List<String> cmd =
        new ArrayList<>(
            List.of(
                sipp().toString(),
                "127.0.0.1:" + port,
                "-sf",
                scenario.toString(),
                "-t",
                transport,
                "-i",
                "127.0.0.1",
                "-p",
                "0",
                "-key",
                "user",
                "alice",
                "-key",
                "domain",
                "example.test",
                "-key",
                "offline",
                "carol",
                "-au",
                "alice",
                "-ap",
                node.demoPassword("alice"),
                "-m",
                "1",
                "-timeout",
                "30s",
                "-timeout_error",
                "-nostdin",
                "-trace_err",
                "-error_file",
                dir.resolve("sipp-" + transport + "-errors.log").toString()));
    Process p =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sipp-" + transport + ".out").toFile())
            .start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("sipp finishes").isTrue();
    return new SippRun(p.exitValue(), read(dir.resolve("sipp-" + transport + "-errors.log")));
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  record SippRun(int exitCode, String errors) {}

  @Test
  void sippRegistersAndMessagesOverUdp() throws Exception {
    SippRun run = runScenario("u1", node.port("udp"));
    assertThat(run.exitCode())
        .as(
            "SIPp exit code (0 = every call succeeded); errors:%n%s%nnode:%n%s",
            run.errors(), node.text())
        .isZero();
  }

  @Test
  void sippRegistersAndMessagesOverTcp() throws Exception {
    SippRun run = runScenario("t1", node.port("tcp"));
    assertThat(run.exitCode())
        .as(
            "SIPp exit code (0 = every call succeeded); errors:%n%s%nnode:%n%s",
            run.errors(), node.text())
        .isZero();
  }
}
