package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the capacity benchmark suite ({@code bench/run}, see docs/performance.md) from rotting: a
 * smoke run of a few seconds at 5 and 10 calls/s against a real {@code bin/parley standalone}
 * driven by SIPp, which must print its Markdown tables with a measured rate for Parley. The real
 * measurements are run by hand, never by the build.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BenchSmokeIT {

  @TempDir Path work;

  private static Path projectDir() {
    String dir = System.getProperty("parley.project.dir");
    return (dir != null ? Path.of(dir) : Path.of("..")).toAbsolutePath().normalize();
  }

  private record Run(int exitCode, String stdout, String stderr) {}

  private Run bench(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("python3", "bench/run"));
    cmd.addAll(List.of(args));
    Path out = work.resolve("bench.out");
    Path err = work.resolve("bench.err");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(projectDir().toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    if (!p.waitFor(4, TimeUnit.MINUTES)) {
      p.destroy(); // SIGTERM: the driver stops the node it started before exiting
      p.waitFor(90, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void quickRunMeasuresParleyAndPrintsTheTables() throws Exception {
    // A port block unlikely to be in use (the driver refuses busy ports rather than guessing).
    int base = 20_000 + 10 * ThreadLocalRandom.current().nextInt(900);
    Run run =
        bench(
            "--quick",
            "--target",
            "parley",
            "--scenario",
            "register-udp",
            "--scenario",
            "message",
            "--scenario",
            "publish",
            "--scenario",
            "subscribe",
            "--port-base",
            Integer.toString(base),
            "--work",
            work.resolve("run").toString());

    assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
    assertThat(run.stdout())
        .contains("### register-udp: REGISTER with Digest over UDP")
        .contains("### message: page-mode MESSAGE relay")
        .contains("### publish: PUBLISH (PIDF, Digest) over UDP")
        .contains("### subscribe: SUBSCRIBE (fetch, Expires: 0) with NOTIFY over UDP")
        .contains("| server | sustained calls/s (<1% failed) | p50 ms | p90 ms | p99 ms |");
    for (String scenario : List.of("register-udp", "message", "publish", "subscribe")) {
      assertThat(sustainedRate(run.stdout(), scenario))
          .as(
              "Parley's sustained rate in %s; output:%n%s%n%s",
              scenario, run.stdout(), run.stderr())
          .isGreaterThan(0);
    }
  }

  @Test
  void refusesATargetOutsideLoopback() throws Exception {
    Run run = bench("--quick", "--target", "parley", "--host", "192.0.2.1");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("only 127.0.0.0/8 is allowed");
    assertThat(run.stdout()).doesNotContain("| Parley |");
  }

  /** The Parley row's sustained rate in one scenario's table, or -1 when there is none. */
  private static double sustainedRate(String report, String scenario) {
    int at = report.indexOf("### " + scenario + ":");
    if (at < 0) {
      return -1;
    }
    int end = report.indexOf("###", at + 4);
    String table = report.substring(at, end < 0 ? report.length() : end);
    Matcher m = Pattern.compile("(?m)^\\| Parley \\| ([0-9,.]+) \\|").matcher(table);
    return m.find() ? Double.parseDouble(m.group(1).replace(",", "")) : -1;
  }
}
