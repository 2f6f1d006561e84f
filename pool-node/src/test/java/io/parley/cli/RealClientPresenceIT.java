package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence with a real standard client: two headless baresip processes (Debian's baresip-core) sign
 * in to {@code bin/parley standalone --demo} as alice and bob, alice watching bob. Bob's status is
 * changed through baresip's ctrl_tcp command socket, baresip PUBLISHes it, and alice's baresip must
 * learn it from Parley's NOTIFY.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RealClientPresenceIT {

  private static final Path BARESIP = Path.of("/usr/bin/baresip");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static StandaloneProcess node;
  static Md5OnlyRelay relay;

  @BeforeAll
  static void startNode() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(BARESIP), "baresip is not installed: apt-get install baresip-core");
    node =
        StandaloneProcess.startStandalone(
            dir.resolve("data"),
            "--demo",
            "--host",
            "127.0.0.1",
            "--udp-port",
            "-1",
            "--tcp-port",
            "0",
            "--tls-port",
            "-1",
            // baresip 1.x gives up when a challenge offers an algorithm it lacks (SHA-256)
            "--digest-algorithms",
            "MD5");
    assertThat(node.awaitReady(Duration.ofMinutes(3))).as("node ready:%n%s", node.text()).isTrue();
    relay = new Md5OnlyRelay(node.port("tcp"));
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (relay != null) {
      relay.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aWatchingBaresipLearnsTheStatusAnotherBaresipPublishes() throws Exception {
    try (Baresip alice = Baresip.start("alice", "bob");
        Baresip bob = Baresip.start("bob", "alice")) {
      alice.awaitOutput("\\{0/TCP/v4\\} 200 OK");
      bob.awaitOutput("\\{0/TCP/v4\\} 200 OK");
      // Signed in with Parley's own challenges: none offered an algorithm baresip lacks.
      assertThat(relay.dropped).hasValue(0);

      // Bob's baresip publishes "open"; alice's learns it from a NOTIFY carrying bob's own tuple.
      // (baresip prints nothing for a contact's first status, only for later changes.)
      bob.command("presence_online");
      awaitNotifyToAlice("<basic>open</basic>");
      // Parley's own answer to bob's PUBLISH, as seen on the wire: accepted, with an entity tag.
      assertThat(relay.fromParley)
          .as("Parley's answers")
          .anySatisfy(
              m ->
                  assertThat(m)
                      .startsWith("SIP/2.0 200")
                      .containsPattern("(?m)^From: <sip:bob@example\\.test>")
                      .containsPattern("(?m)^CSeq: \\d+ PUBLISH")
                      .containsPattern("(?mi)^SIP-ETag: \\S+"));

      bob.command("presence_offline");
      alice.awaitOutput("(?i)<sip:bob@example\\.test> changed status from online to offline");
      bob.command("presence_online");
      alice.awaitOutput("(?i)<sip:bob@example\\.test> changed status from offline to online");
    }
  }

  /** Waits for a NOTIFY to alice's baresip carrying bob's published tuple with {@code text}. */
  private static void awaitNotifyToAlice(String text) {
    Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(relay.fromParley)
                    .as("NOTIFYs to alice")
                    .anySatisfy(
                        m ->
                            assertThat(m)
                                .startsWith("NOTIFY sip:alice")
                                // baresip's own tuple id: the document bob's baresip published
                                .contains("<tuple id=\"t4109\">")
                                .contains(text)));
  }

  /** One baresip process with its own config folder; commands go in over ctrl_tcp. */
  private static final class Baresip implements AutoCloseable {
    final String user;
    final Process process;
    final Path log;
    final int ctrlPort;

    private Baresip(String user, Process process, Path log, int ctrlPort) {
      this.user = user;
      this.process = process;
      this.log = log;
      this.ctrlPort = ctrlPort;
    }

    static Baresip start(String user, String watched) throws Exception {
      Path conf = Files.createDirectories(dir.resolve("baresip-" + user));
      int sipPort = freePortPair();
      int ctrlPort = freePortPair();
      Files.writeString(
          conf.resolve("config"),
          String.join(
              "\n",
              "poll_method poll",
              // baresip also opens TLS on the next port up.
              "sip_listen 127.0.0.1:" + sipPort,
              "audio_player aufile,/dev/null",
              "audio_source aufile,/dev/null",
              "module_path /usr/lib/baresip/modules",
              "module g711.so",
              "module aufile.so",
              "module_app account.so",
              "module_app contact.so",
              "module_app presence.so",
              "module_app ctrl_tcp.so",
              "ctrl_tcp_listen 127.0.0.1:" + ctrlPort,
              ""));
      Files.writeString(
          conf.resolve("accounts"),
          "<sip:"
              + user
              + "@example.test;transport=tcp>;auth_user="
              + user
              + ";auth_pass="
              + node.demoPassword(user)
              + ";outbound=\"sip:127.0.0.1:"
              + relay.port()
              + ";transport=tcp\";regint=600;pubint=600\n");
      String display = Character.toUpperCase(watched.charAt(0)) + watched.substring(1);
      Files.writeString(
          conf.resolve("contacts"),
          "\"" + display + "\" <sip:" + watched + "@example.test>;presence=p2p\n");
      Path log = dir.resolve("baresip-" + user + ".log");
      Process p =
          // -s: SIP trace, for failure messages; -v: presence changes are logged at debug level.
          new ProcessBuilder(BARESIP.toString(), "-f", conf.toString(), "-s", "-v")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
      return new Baresip(user, p, log, ctrlPort);
    }

    String output() {
      try {
        // Without colours: baresip paints status names with ANSI escapes.
        return Files.readString(log, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*m", "");
      } catch (IOException e) {
        return "";
      }
    }

    void awaitOutput(String regex) {
      java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
      try {
        Awaitility.await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> pattern.matcher(output()).find());
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            user + "'s baresip never printed /" + regex + "/; its output:\n" + output(), e);
      }
    }

    /** A ctrl_tcp command: a netstring holding {"command": ...}. */
    void command(String command) throws IOException {
      String json = "{\"command\":\"" + command + "\",\"token\":\"t\"}";
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> send(bytes));
    }

    private boolean send(byte[] json) throws IOException {
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ctrlPort)) {
        OutputStream out = s.getOutputStream();
        out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.write(',');
        out.flush();
        // The answer is a netstring too; its arrival means the command ran.
        s.setSoTimeout(5000);
        return s.getInputStream().read() >= 0;
      }
    }

    private static int freePortPair() throws IOException {
      for (int i = 0; i < 50; i++) {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
          int p = a.getLocalPort();
          if (p < 65535) {
            try (ServerSocket b = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
              return p;
            } catch (IOException taken) {
              // try another
            }
          }
        }
      }
      throw new IOException("no two adjacent free ports");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
