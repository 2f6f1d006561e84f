package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Linphone, a second real standard client (Debian's linphone-nogtk: liblinphone 5 and belle-sip),
 * against {@code bin/parley standalone --demo} over UDP: two headless {@code linphonec} processes
 * sign in as alice and bob with Parley's own Digest challenges (MD5 and SHA-256 offered), exchange
 * an instant message through the proxy (407 challenge on MESSAGE), and alice watches bob's presence
 * (SUBSCRIBE, bob's PUBLISH, NOTIFY) until bob signs out and she sees him offline.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RealClientLinphoneIT {

  private static final Path LINPHONEC = Path.of("/usr/bin/linphonec");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static StandaloneProcess node;

  @BeforeAll
  static void startNode() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(LINPHONEC),
        "linphonec is not installed: apt-get install linphone-nogtk");
    node =
        StandaloneProcess.startStandalone(
            dir.resolve("data"),
            "--demo",
            "--host",
            "127.0.0.1",
            "--udp-port",
            "0",
            "--tcp-port",
            "-1",
            "--tls-port",
            "-1");
    assertThat(node.awaitReady(Duration.ofMinutes(3))).as("node ready:%n%s", node.text()).isTrue();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void twoLinphonesSignInChatAndSeeEachOthersPresence() throws Exception {
    try (Linphone alice = Linphone.start("alice");
        Linphone bob = Linphone.start("bob")) {
      alice.command("friend add \"bob\" sip:bob@example.test");
      alice.awaitOutput("Friend \"bob\" <sip:bob@example.test> is Online");

      bob.command("chat sip:alice@example.test hello from linphone bob");
      alice.awaitOutput("Message received from sip:bob@example.test: hello from linphone bob");
      alice.command("chat sip:bob@example.test hi bob, alice here");
      bob.awaitOutput("Message received from sip:alice@example.test: hi bob, alice here");

      int seen = alice.lines(); // an initial "Offline" (bob not yet published) must not count
      bob.command("quit"); // unpublishes and unregisters
      alice.awaitOutput("Friend \"bob\" <sip:bob@example.test> is Offline", seen);
    }
    assertThat(node.output)
        .noneMatch(line -> line.contains(" ERROR ") || line.contains("Exception"));
  }

  /** One headless linphonec with its own HOME, configuration and UDP port. */
  private static final class Linphone implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final String name;

    private Linphone(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    static Linphone start(String user) throws IOException {
      Path home = dir.resolve("home-" + user);
      // liblinphone keeps its chat database there; without the folder it cannot open it
      Files.createDirectories(home.resolve(".local/share/linphone"));
      int sipPort = freeUdpPort();
      Path rc = home.resolve("linphonerc");
      Files.writeString(
          rc,
          String.join(
              "\n",
              "[sip]",
              "sip_port=" + sipPort,
              "sip_tcp_port=-1",
              "sip_tls_port=-1",
              "default_proxy=0",
              "[rtp]",
              "audio_rtp_port=" + freeUdpPort(),
              "video_rtp_port=" + freeUdpPort(),
              "[proxy_0]",
              "reg_proxy=<sip:127.0.0.1:" + node.port("udp") + ";transport=udp>",
              "reg_route=<sip:127.0.0.1:" + node.port("udp") + ";transport=udp;lr>",
              "reg_identity=sip:" + user + "@example.test",
              "reg_expires=600",
              "reg_sendregister=1",
              "publish=1",
              "[auth_info_0]",
              "username=" + user,
              "passwd=" + node.demoPassword(user),
              "realm=example.test",
              "domain=example.test",
              ""));
      // Output to a file, read back when awaited (as for baresip); commands go in on stdin.
      Path log = home.resolve("linphonec.out");
      ProcessBuilder pb =
          new ProcessBuilder(LINPHONEC.toString(), "-c", rc.toString(), "-S")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("HOME", home.toString());
      return new Linphone(user, pb.start(), log);
    }

    void command(String line) throws IOException {
      OutputStream in = process.getOutputStream();
      in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
    }

    private List<String> output() {
      try {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      } catch (IOException e) {
        return List.of();
      }
    }

    /** Complete lines so far: the prompt line is completed by the next event printed on it. */
    int lines() {
      try {
        byte[] bytes = Files.readAllBytes(log);
        int n = 0;
        for (byte b : bytes) {
          n += b == '\n' ? 1 : 0;
        }
        return n;
      } catch (IOException e) {
        return 0;
      }
    }

    void awaitOutput(String text) {
      awaitOutput(text, 0);
    }

    /** Waits until a line printed after the first {@code from} lines contains {@code text}. */
    void awaitOutput(String text, int from) {
      try {
        Awaitility.await()
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> output().stream().skip(from).anyMatch(l -> l.contains(text)));
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError(
            name + "'s linphonec never printed " + text + "; its output:\n" + output(), e);
      }
    }

    private static int freeUdpPort() throws IOException {
      try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        try {
          command("quit");
        } catch (IOException ignored) {
          // already gone
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }
  }
}
