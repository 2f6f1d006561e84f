package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/parley pool-demo}, the way someone trying Parley runs it: two members and one
 * PostgreSQL (and HAProxy in front when it is installed), a client signing in through the load
 * balancer and another on a member directly, a message between them, then Ctrl-C (SIGTERM) stopping
 * everything.
 */
class PoolDemoIT {

  @TempDir Path dir;

  @Test
  void thePoolDemoServesClientsAndStopsEverythingOnSigterm() throws Exception {
    int lbPort = freePortPair();
    List<String> cmd =
        List.of(
            PoolMember.projectDir().resolve("bin/parley").toString(),
            "pool-demo",
            "--data",
            dir.toString(),
            "--members",
            "2",
            "--sip-port",
            Integer.toString(lbPort));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process demo = pb.start();
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  if (line.contains("ready. Press Ctrl-C")) {
                    ready.countDown();
                  }
                }
              } catch (IOException ignored) {
                // gone
              } finally {
                ready.countDown();
              }
            });
    reader.setDaemon(true);
    reader.start();
    List<SipUa> uas = new ArrayList<>();
    try {
      assertThat(ready.await(4, TimeUnit.MINUTES) && demo.isAlive())
          .as("pool-demo ready; output:%n%s", String.join("\n", output))
          .isTrue();
      boolean haproxy = String.join("\n", output).contains("(HAProxy)");
      int entry = haproxy ? lbPort : 15061;

      SipUa alice = new SipUa(target(entry), "alice", password("alice"), "tcp");
      uas.add(alice);
      SipUa bob = new SipUa(target(15062), "bob", password("bob"), "tcp");
      uas.add(bob);
      assertThat(alice.register(600).getStatusCode()).isEqualTo(200);
      assertThat(bob.register(600).getStatusCode()).isEqualTo(200);
      assertThat(
              alice
                  .call(alice.newRequest(Request.MESSAGE, bob.aor(), "alice", "hello via the demo"))
                  .getStatusCode())
          .isEqualTo(200);
      bob.awaitRequest(Request.MESSAGE, "hello via the demo");
    } finally {
      uas.forEach(SipUa::drop);
      demo.toHandle().destroy(); // Ctrl-C / SIGTERM; keeps our end of its output open
      assertThat(demo.waitFor(120, TimeUnit.SECONDS))
          .as("pool-demo stops; output:%n%s", String.join("\n", output))
          .isTrue();
      SipUa.awaitStopped();
    }
    // The members went with it.
    assertThat(listening(15061)).isFalse();
    assertThat(listening(15062)).isFalse();
  }

  private String password(String user) throws IOException {
    for (String line : Files.readAllLines(dir.resolve("demo-users.txt"))) {
      String[] parts = line.split(" ", 2);
      if (parts[0].startsWith("sip:" + user + "@")) {
        return parts[1];
      }
    }
    throw new AssertionError("no demo user " + user);
  }

  private static SipTarget target(int tcpPort) {
    return new SipTarget() {
      @Override
      public int port(String transport) {
        return tcpPort;
      }

      @Override
      public @Nullable Path keyStore() {
        return null;
      }

      @Override
      public @Nullable Path trustStore() {
        return null;
      }
    };
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port p with p and p + 1 free (the demo's load balancer uses both). */
  private static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p;
      try (ServerSocket s = new ServerSocket(0)) {
        p = s.getLocalPort();
      }
      if (p < 65000) {
        try (ServerSocket a = new ServerSocket(p);
            ServerSocket b = new ServerSocket(p + 1)) {
          return p;
        } catch (IOException busy) {
          // try another
        }
      }
    }
    throw new IOException("no two consecutive free ports");
  }
}
