package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One pool member, {@code bin/parley node --config FILE}, as a separate JVM on loopback: the way an
 * administrator runs it. SIP ports are ephemeral (read back from the "listening on" lines); the
 * Hazelcast port is chosen up front because the other members' static member lists name it.
 */
final class PoolMember implements SipTarget, AutoCloseable {

  private static final Pattern LISTENING =
      Pattern.compile("listening on sips?:([^:]+):(\\d+);transport=(udp|tcp|tls)");

  final String nodeId;
  final int hazelcastPort;
  final Path dir;
  final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final Process process;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);

  private PoolMember(String nodeId, int hazelcastPort, Path dir, Process process) {
    this.nodeId = nodeId;
    this.hazelcastPort = hazelcastPort;
    this.dir = dir;
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (java.io.PrintWriter log =
                      new java.io.PrintWriter(
                          Files.newBufferedWriter(dir.resolve("node.log")), true);
                  BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  log.println(line);
                  if (line.startsWith("parley: ready")) {
                    ready.countDown();
                  }
                }
              } catch (IOException ignored) {
                // process gone
              } finally {
                ready.countDown();
                ended.countDown();
              }
            },
            "pool-member-" + nodeId);
    reader.setDaemon(true);
    reader.start();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Writes the member's config and starts it (not waiting).
   *
   * @param members {@code host:port} of the Hazelcast ports of the other members
   */
  static PoolMember start(
      Path root, String nodeId, int hazelcastPort, List<String> members, String jdbcUrl)
      throws IOException {
    Path dir = Files.createDirectories(root.resolve(nodeId));
    String yaml =
        """
        pool:
          name: pool-it
          node-id: %s
          bind-host: 127.0.0.1
          advertised-host: 127.0.0.1
          port: %d
          event-bus-port: 0
          members: [%s]
        sip:
          domains: [%s]
          host: 127.0.0.1
          advertised-host: 127.0.0.1
          udp-port: 0
          tcp-port: 0
          tls-port: -1
        tls:
          dir: tls
        database:
          url: %s
          user: postgres
          password: ""
        admin:
          port: -1
        drain:
          grace-period: 6s
        xcap:
          host: 127.0.0.1
          port: 0
        """
            .formatted(nodeId, hazelcastPort, String.join(", ", members), E2eNode.DOMAIN, jdbcUrl);
    Path config = dir.resolve("parley.yaml");
    Files.writeString(config, yaml);
    List<String> cmd = new ArrayList<>();
    cmd.add(projectDir().resolve("bin/parley").toString());
    cmd.addAll(List.of("node", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // Four JVMs share two cores with the test: keep each one small and quick to start.
    pb.environment().put("PARLEY_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    return new PoolMember(nodeId, hazelcastPort, dir, pb.start());
  }

  static Path projectDir() {
    String d = System.getProperty("parley.project.dir");
    Path p = d != null ? Path.of(d) : Path.of("..");
    return p.toAbsolutePath().normalize();
  }

  void awaitReady(Duration timeout) throws InterruptedException {
    boolean ok = ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && process.isAlive();
    assertThat(ok).as("member %s ready; output:%n%s", nodeId, text()).isTrue();
  }

  @Override
  public int port(String transport) {
    synchronized (output) {
      for (String line : output) {
        Matcher m = LISTENING.matcher(line);
        if (m.find() && m.group(3).equals(transport)) {
          return Integer.parseInt(m.group(2));
        }
      }
    }
    throw new AssertionError(
        "no " + transport + " listener in output of " + nodeId + ":\n" + text());
  }

  @Override
  public @Nullable Path keyStore() {
    return null;
  }

  @Override
  public @Nullable Path trustStore() {
    return null;
  }

  String text() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** kill -9: no goodbye to the cluster, no connection closed cleanly. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: the member drains, then exits; returns its exit code. */
  int terminateAndWait(Duration timeout) throws InterruptedException {
    // Through the handle: Process.destroy() would also close our end of its output pipe, and
    // the member's last words (the drain log) would be lost.
    process.toHandle().destroy();
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("member %s exits after draining; output:%n%s", nodeId, text())
        .isTrue();
    ended.await(10, TimeUnit.SECONDS); // the last lines may still be in the pipe
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return nodeId;
  }
}
