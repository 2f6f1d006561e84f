package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped haproxy.cfg (ports moved to free ones, checks sped up) in front of three fake nodes:
 * real {@link AdminServer}s for the health checks and tiny TCP servers that greet with their name.
 */
class HaproxyRoutingIT {

  private static final int NODES = 3;

  private final Vertx vertx = Vertx.vertx();
  private final List<AdminServer> admins = new ArrayList<>();
  private final List<ServerSocket> sip = new ArrayList<>();
  private final List<AtomicBoolean> ready = new ArrayList<>();
  private final List<Thread> acceptors = new ArrayList<>();
  private Process haproxy;

  @AfterEach
  void tearDown() throws Exception {
    if (haproxy != null) {
      haproxy.destroy();
      haproxy.waitFor(5, TimeUnit.SECONDS);
    }
    for (ServerSocket s : sip) {
      s.close();
    }
    for (AdminServer a : admins) {
      a.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void clientsGoOnlyToReadyNodesAndADrainingNodesClientsAreCut(@TempDir Path dir) throws Exception {
    assumeTrue(Haproxy.available(), "haproxy not installed");
    int frontend = freePort();
    int stats = freePort();
    String config = Files.readString(HaproxyConfigTest.CONFIG);
    config =
        config
            .replace("bind :5060", "bind 127.0.0.1:" + frontend)
            .replace("bind :5061", "bind 127.0.0.1:" + freePort())
            .replace("bind 127.0.0.1:8404", "bind 127.0.0.1:" + stats)
            // The shipped limits need ~120k file descriptors; a test machine may allow fewer.
            .replace("maxconn 60000", "maxconn 1000")
            .replace("maxconn 57000", "maxconn 900")
            .replace("inter 2s fall 3 rise 2", "inter 100ms fall 1 rise 1");
    for (int i = 1; i <= NODES; i++) {
      AtomicBoolean flag = new AtomicBoolean(i == 1);
      ready.add(flag);
      AdminServer admin = startAdmin(flag);
      ServerSocket node = startNode("node" + i);
      config =
          config
              .replace("127.0.0.1:1506" + i, "127.0.0.1:" + node.getLocalPort())
              .replace("127.0.0.1:1516" + i, "127.0.0.1:" + freePort())
              .replace("check port 1808" + i, "check port " + admin.actualPort());
    }
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, config);
    haproxy =
        new ProcessBuilder(Haproxy.binary(), "-db", "-f", cfg.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();

    // Only node1 is ready: once the checks have run, every client lands there.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> states(stats).equals(List.of("node1 UP", "node2 DOWN", "node3 DOWN")));
    for (int i = 0; i < 5; i++) {
      assertThat(greeting(frontend)).isEqualTo("node1");
    }

    // A client holds a connection to node1; node2 becomes ready and node1 drains.
    try (Socket held = connect(frontend)) {
      assertThat(readLine(held.getInputStream())).isEqualTo("node1");
      ready.get(1).set(true);
      assertThat(drain(admins.get(0)).statusCode()).isEqualTo(202);

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> states(stats).equals(List.of("node1 DOWN", "node2 UP", "node3 DOWN")));
      // on-marked-down shutdown-sessions: the held connection is closed by the proxy.
      held.setSoTimeout(5000);
      assertThat(held.getInputStream().read()).isEqualTo(-1);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(greeting(frontend)).isEqualTo("node2");
    }
  }

  private AdminServer startAdmin(AtomicBoolean flag) throws Exception {
    NodeHealth health =
        new NodeHealth() {
          @Override
          public boolean ready() {
            return flag.get();
          }

          @Override
          public String notReadyReason() {
            return "starting";
          }
        };
    AdminServer admin =
        new AdminServer(
            vertx,
            "127.0.0.1",
            0,
            health,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            Future::succeededFuture);
    admin.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    admins.add(admin);
    return admin;
  }

  /** Greets each connection with its name, then holds it open until the peer closes. */
  private ServerSocket startNode(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    sip.add(server);
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (!server.isClosed()) {
                    try {
                      Socket s = server.accept();
                      Thread.ofVirtual().start(() -> hold(s, name));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
    acceptors.add(t);
    return server;
  }

  private static void hold(Socket s, String name) {
    try (s) {
      OutputStream out = s.getOutputStream();
      out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // discard until closed
      }
    } catch (IOException e) {
      // peer gone
    }
  }

  private static String greeting(int port) throws IOException {
    try (Socket s = connect(port)) {
      s.setSoTimeout(2000);
      return readLine(s.getInputStream());
    } catch (IOException e) {
      return "error: " + e.getMessage();
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
    s.setSoTimeout(2000);
    return s;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
      sb.append((char) c);
    }
    return sb.toString();
  }

  /** "nodeN STATUS" of the TCP backend's servers, from the stats page's CSV export. */
  private static List<String> states(int statsPort) throws IOException, InterruptedException {
    String csv =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/;csv"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    List<String> states = new ArrayList<>();
    for (String line : csv.split("\n")) {
      String[] f = line.split(",", -1);
      // Columns: pxname, svname, ..., status is the 18th (index 17).
      if (f.length > 17 && f[0].equals("parley_sip_tcp") && f[1].startsWith("node")) {
        states.add(f[1] + " " + f[17]);
      }
    }
    return states;
  }

  private static HttpResponse<String> drain(AdminServer admin)
      throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.actualPort() + "/admin/drain"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
