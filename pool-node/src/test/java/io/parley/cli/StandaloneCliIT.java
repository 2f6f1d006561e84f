package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The standalone command and user administration as an administrator meets them. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StandaloneCliIT {

  @TempDir Path dir;

  private static List<String> parleyLines(StandaloneProcess p) {
    return p.output.stream().filter(l -> l.startsWith("parley:")).toList();
  }

  @Test
  void badFlagGivesOneLineAndExitCode2() throws Exception {
    try (StandaloneProcess p = StandaloneProcess.startStandalone(dir, "--no-such-flag")) {
      assertThat(p.awaitExit(Duration.ofMinutes(1))).isEqualTo(2);
      assertThat(parleyLines(p)).hasSize(1);
      assertThat(parleyLines(p).get(0)).contains("--no-such-flag");
    }
  }

  @Test
  void portOutOfRangeIsAUsageError() throws Exception {
    try (StandaloneProcess p = StandaloneProcess.startStandalone(dir, "--udp-port", "70000")) {
      assertThat(p.awaitExit(Duration.ofMinutes(1))).isEqualTo(2);
      assertThat(parleyLines(p)).hasSize(1);
      assertThat(parleyLines(p).get(0)).contains("--udp-port");
    }
  }

  @Test
  void portInUseGivesOneLineAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        StandaloneProcess p =
            StandaloneProcess.startStandalone(
                dir.resolve("data"),
                "--host",
                "127.0.0.1",
                "--udp-port",
                "0",
                "--tls-port",
                "0",
                "--tcp-port",
                Integer.toString(taken.getLocalPort()))) {
      assertThat(p.awaitExit(Duration.ofMinutes(2))).isEqualTo(1);
      List<String> errors =
          p.output.stream().filter(l -> l.startsWith("parley:") && l.contains("in use")).toList();
      assertThat(errors).as(p.text()).hasSize(1);
      assertThat(errors.get(0)).contains(Integer.toString(taken.getLocalPort()));
    }
  }

  @Test
  void usersAreAdministeredOnARunningNodeAndDataSurvivesARestart() throws Exception {
    Path data = dir.resolve("data");
    String[] flags = {
      "--demo", "--host", "127.0.0.1", "--udp-port", "0", "--tcp-port", "0", "--tls-port", "0"
    };
    try (StandaloneProcess node = StandaloneProcess.startStandalone(data, flags)) {
      assertThat(node.awaitReady(Duration.ofMinutes(3))).as(node.text()).isTrue();
      assertThat(node.text()).contains("sip:alice@example.test", "tls/ca.pem");
      assertThat(Files.readAllLines(data.resolve("demo-users.txt"))).hasSize(3);

      // Against the running node: the CLI uses the node's database.
      assertThat(runCli(data, "s3cret-dave\n", "user", "add", "dave", "--display-name", "Dave"))
          .contains("added sip:dave@example.test");
      assertThat(runCli(data, "", "user", "list"))
          .contains("sip:alice@example.test", "sip:dave@example.test");
      assertThat(runCli(data, "", "user", "disable", "dave")).contains("disabled");
      Path users = data.resolve("import.txt");
      Files.writeString(users, "erin pw-erin-1\nfrank pw-frank-1\ncarol new-carol-pw\n");
      assertThat(runCli(data, "", "user", "import", users.toString()))
          .contains("2 created, 1 updated, 0 skipped");

      node.terminate();
      node.awaitExit(Duration.ofMinutes(1));
    }
    List<String> demoUsers = Files.readAllLines(data.resolve("demo-users.txt"));

    // Stopped node: the CLI starts the folder's database itself.
    assertThat(runCli(data, "", "user", "list"))
        .contains("sip:dave@example.test")
        .contains("disabled");

    try (StandaloneProcess again = StandaloneProcess.startStandalone(data, flags)) {
      assertThat(again.awaitReady(Duration.ofMinutes(3))).as(again.text()).isTrue();
      assertThat(again.text()).contains("demo users already exist");
      assertThat(Files.readAllLines(data.resolve("demo-users.txt"))).isEqualTo(demoUsers);
    }
  }

  private static String runCli(Path data, String stdin, String... args) throws Exception {
    String[] ordered = new String[args.length + 2];
    ordered[0] = "user";
    ordered[1] = "--data";
    ordered[2] = data.toString();
    System.arraycopy(args, 1, ordered, 3, args.length - 1);
    try (StandaloneProcess p = StandaloneProcess.start(data, ordered)) {
      try (OutputStream in = p.process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      int code = p.awaitExit(Duration.ofMinutes(2));
      assertThat(code).as("exit code of %s:%n%s", String.join(" ", ordered), p.text()).isZero();
      return p.text();
    }
  }
}
