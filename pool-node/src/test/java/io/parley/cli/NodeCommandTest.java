package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an administrator sees from {@code parley node} and {@code parley drain} mistakes. */
class NodeCommandTest {

  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = ParleyMain.run(args);
      return new Run(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void aMissingConfigFileIsOneLineAndExit1() {
    Run r = run("node", "--config", dir.resolve("nope.yaml").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err().strip())
        .startsWith("parley: ")
        .contains("does not exist")
        .doesNotContain("\n");
  }

  @Test
  void aTypoInTheConfigNamesTheKey() throws Exception {
    Path file = dir.resolve("parley.yaml");
    Files.writeString(file, "sip:\n  domains: [example.com]\n  udp-prot: 5060\n");
    Run r = run("node", "--config", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown key 'sip.udp-prot'");
  }

  @Test
  void aMemberWithoutADatabaseIsSentToStandalone() throws Exception {
    Path file = dir.resolve("parley.yaml");
    Files.writeString(file, "sip:\n  domains: [example.com]\n");
    Run r = run("node", "--config", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("database").contains("parley standalone");
  }

  @Test
  void checkValidatesAndNeverPrintsThePassword() throws Exception {
    Path file = dir.resolve("parley.yaml");
    Files.writeString(
        file,
        """
        pool:
          node-id: fe-1
        sip:
          domains: [example.com]
        database:
          url: jdbc:postgresql://db.example.com/parley
          password: very-secret-pw
        """);
    Run r = run("node", "--config", file.toString(), "--check");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("configuration OK").contains("fe-1");
    assertThat(r.out() + r.err()).doesNotContain("very-secret-pw");
  }

  @Test
  void drainNeedsToKnowWhichMember() {
    Run r = run("drain");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--config").contains("--admin-port");
  }

  @Test
  void drainOfAMemberThatIsNotRunningSaysSo() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed: nothing listens there
    }
    Run r = run("drain", "--admin-port", Integer.toString(port));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no Parley member answers on 127.0.0.1:" + port);
  }
}
