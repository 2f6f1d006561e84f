package io.parley.cli;

import io.parley.db.Database;
import io.parley.db.EmbeddedDatabase;
import io.parley.db.user.UserNames;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley pool-demo}: a pool to try on one machine. One PostgreSQL (embedded, in the data
 * folder), N members as separate JVMs ({@code parley node} with generated configs), and HAProxy in
 * front when it is installed, so clients have one address. Ctrl-C drains and stops everything.
 */
@Command(
    name = "pool-demo",
    mixinStandardHelpOptions = true,
    description =
        "Run a local pool: one PostgreSQL, several members, HAProxy in front (if installed).")
final class PoolDemoCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(PoolDemoCommand.class);

  /** Member i listens for SIP on BASE_SIP + i (UDP and TCP), TLS on BASE_TLS + i, and so on. */
  static final int BASE_SIP = 15060;

  static final int BASE_TLS = 15160;
  static final int BASE_ADMIN = 18080;
  static final int BASE_HAZELCAST = 15700;
  static final int BASE_XCAP = 18440;

  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Folder for the database, member configs and logs (default: ${DEFAULT-VALUE}).",
      defaultValue = "./parley-pool-demo")
  Path dataDir = Path.of("./parley-pool-demo");

  @Option(
      names = "--members",
      paramLabel = "N",
      description = "Number of pool members, 1 to 9 (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  int memberCount = 3;

  @Option(
      names = "--domain",
      paramLabel = "DOMAIN",
      description = "SIP domain (default: ${DEFAULT-VALUE}).",
      defaultValue = "example.test")
  String domain = "example.test";

  @Option(
      names = "--sip-port",
      paramLabel = "PORT",
      description =
          "The load balancer's SIP port for TCP; TLS is the next one (default: ${DEFAULT-VALUE}).",
      defaultValue = "5060")
  int sipPort = 5060;

  @Option(names = "--no-haproxy", description = "Do not start HAProxy even if it is installed.")
  boolean noHaproxy;

  @Override
  public Integer call() throws Exception {
    if (memberCount < 1 || memberCount > 9) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--members must be between 1 and 9 (was " + memberCount + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    StandaloneLock lock = StandaloneLock.tryAcquire(dir);
    if (lock == null) {
      throw new CliErrors.CliException("a pool demo is already running on " + dir);
    }
    List<Process> children = new ArrayList<>();
    EmbeddedDatabase pg = null;
    try {
      say(out, "starting PostgreSQL in " + dir.resolve("db") + "...");
      pg = EmbeddedDatabase.start(dir.resolve("db"));
      String dom = UserNames.domain(domain);
      List<String> demo;
      try (Database db = Database.open(pg.config(2))) {
        db.settings().putString(DataAccess.DOMAIN_SETTING, dom);
        demo = StandaloneCommand.ensureDemoUsers(db, dom, dir);
      }
      List<Path> logs = new ArrayList<>();
      for (int i = 1; i <= memberCount; i++) {
        Path config = writeMemberConfig(dir, i, dom, pg);
        Path logFile = config.resolveSibling("node.log");
        logs.add(logFile);
        say(out, "starting member node-" + i + " (log: " + logFile + ")");
        children.add(startMember(config, logFile));
      }
      for (int i = 0; i < memberCount; i++) {
        awaitReady(children.get(i), logs.get(i), "node-" + (i + 1));
        say(out, "member node-" + (i + 1) + " ready");
      }
      Optional<Process> haproxy = noHaproxy ? Optional.empty() : startHaproxy(dir, out);
      haproxy.ifPresent(children::add);

      say(out, "pool of " + memberCount + " member(s) serving domain " + dom);
      if (haproxy.isPresent()) {
        say(out, "clients connect to sip:127.0.0.1:" + sipPort + ";transport=tcp (HAProxy)");
        say(out, "              or to sips:127.0.0.1:" + (sipPort + 1) + ";transport=tls");
      }
      for (int i = 1; i <= memberCount; i++) {
        say(
            out,
            "member node-"
                + i
                + ": sip:127.0.0.1:"
                + (BASE_SIP + i)
                + " (udp/tcp), tls "
                + (BASE_TLS + i)
                + ", admin http://127.0.0.1:"
                + (BASE_ADMIN + i)
                + "/health/ready, xcap https://127.0.0.1:"
                + (BASE_XCAP + i)
                + "/xcap");
      }
      say(out, "CA certificate for TLS clients: " + dir.resolve("node-1/tls/ca.pem"));
      if (!demo.isEmpty()) {
        say(out, "demo users (also in " + dir.resolve("demo-users.txt") + "):");
        demo.forEach(l -> out.println("  " + l));
      } else {
        say(out, "demo users and passwords: " + dir.resolve("demo-users.txt"));
      }
      say(out, "try: bin/parley drain --config " + dir.resolve("node-2/parley.yaml"));
      say(out, "ready. Press Ctrl-C to drain and stop the pool.");
      out.flush();

      CountDownLatch stopped = new CountDownLatch(1);
      EmbeddedDatabase database = pg;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    stopAll(children);
                    database.close();
                    try {
                      lock.close();
                    } catch (IOException ignored) {
                      // the OS releases it with the process
                    }
                    stopped.countDown();
                  },
                  "pool-demo-shutdown"));
      stopped.await();
      return 0;
    } catch (Exception | Error e) {
      stopAll(children);
      if (pg != null) {
        pg.close();
      }
      lock.close();
      throw e;
    }
  }

  private static void say(PrintWriter out, String line) {
    out.println("parley: " + line);
    out.flush();
  }

  private Path writeMemberConfig(Path dir, int i, String dom, EmbeddedDatabase pg)
      throws IOException {
    Path nodeDir = Files.createDirectories(dir.resolve("node-" + i));
    List<String> members = new ArrayList<>();
    for (int j = 1; j <= memberCount; j++) {
      members.add("\"127.0.0.1:" + (BASE_HAZELCAST + j) + "\"");
    }
    String yaml =
        """
        # Generated by 'parley pool-demo'; see docs/configuration.md.
        pool:
          name: pool-demo
          node-id: node-%d
          bind-host: 127.0.0.1
          advertised-host: 127.0.0.1
          port: %d
          event-bus-port: 0
          members: [%s]
        sip:
          domains: [%s]
          host: 127.0.0.1
          advertised-host: 127.0.0.1
          udp-port: %d
          tcp-port: %d
          tls-port: %d
        tls:
          dir: tls
        database:
          url: %s
          user: %s
          password: ""
        admin:
          host: 127.0.0.1
          port: %d
        drain:
          grace-period: 10s
        xcap:
          host: 127.0.0.1
          port: %d
        """
            .formatted(
                i,
                BASE_HAZELCAST + i,
                String.join(", ", members),
                dom,
                BASE_SIP + i,
                BASE_SIP + i,
                BASE_TLS + i,
                pg.jdbcUrl(),
                EmbeddedDatabase.USER,
                BASE_ADMIN + i,
                BASE_XCAP + i);
    Path file = nodeDir.resolve("parley.yaml");
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  /** The same JVM and class path as this process: the members run this very build. */
  private static Process startMember(Path config, Path logFile) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx384m",
                "-cp",
                System.getProperty("java.class.path"),
                ParleyMain.class.getName(),
                "node",
                "--config",
                config.toString()));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(logFile.toFile())
        .start();
  }

  private static void awaitReady(Process p, Path logFile, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(logFile) ? Files.readString(logFile) : "";
      if (text.contains("parley: ready")) {
        return;
      }
      if (!p.isAlive()) {
        throw new CliErrors.CliException(
            name + " exited while starting; last lines of " + logFile + ":\n" + tail(text));
      }
      Thread.sleep(250);
    }
    throw new CliErrors.CliException(name + " did not start within 3 minutes; see " + logFile);
  }

  private static String tail(String text) {
    String[] lines = text.split("\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length));
  }

  private Optional<Process> startHaproxy(Path dir, PrintWriter out) throws IOException {
    @Nullable Path haproxy = onPath("haproxy");
    if (haproxy == null) {
      say(
          out,
          "HAProxy is not installed (apt-get install haproxy): clients connect to a member"
              + " directly");
      return Optional.empty();
    }
    Path cfg = dir.resolve("haproxy.cfg");
    Files.writeString(cfg, haproxyConfig(), StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(haproxy.toString(), "-db", "-f", cfg.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    try {
      if (p.waitFor(1, TimeUnit.SECONDS)) {
        say(
            out,
            "HAProxy exited at once (port "
                + sipPort
                + " in use?); see "
                + dir.resolve("haproxy.log"));
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    say(out, "HAProxy in front of the members (config: " + cfg + ")");
    return Optional.of(p);
  }

  /**
   * TCP and TLS passthrough (the members terminate TLS), least connections, each member's health
   * taken from its readiness endpoint so a draining member gets no new clients. SIP connections
   * live for hours: long timeouts.
   */
  String haproxyConfig() {
    StringBuilder b = new StringBuilder();
    b.append(
        """
        # Generated by 'parley pool-demo'.
        global
            maxconn 20000
        defaults
            mode tcp
            timeout connect 5s
            timeout client 2h
            timeout server 2h
            option tcpka
        """);
    for (boolean tls : new boolean[] {false, true}) {
      String name = tls ? "sip_tls" : "sip_tcp";
      b.append("frontend ").append(name).append('\n');
      b.append("    bind 127.0.0.1:").append(tls ? sipPort + 1 : sipPort).append('\n');
      b.append("    default_backend ").append(name).append("_members\n");
      b.append("backend ").append(name).append("_members\n");
      b.append("    balance leastconn\n");
      b.append("    option httpchk GET /health/ready\n");
      b.append("    default-server inter 2s fall 2 rise 2 on-marked-down shutdown-sessions\n");
      for (int i = 1; i <= memberCount; i++) {
        b.append("    server node-")
            .append(i)
            .append(" 127.0.0.1:")
            .append(tls ? BASE_TLS + i : BASE_SIP + i)
            .append(" check port ")
            .append(BASE_ADMIN + i)
            .append('\n');
      }
    }
    return b.toString();
  }

  private static @Nullable Path onPath(String program) {
    String path = System.getenv("PATH");
    for (String d : (path == null ? "/usr/sbin:/usr/bin" : path + ":/usr/sbin").split(":")) {
      Path p = Path.of(d, program);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /** SIGTERM to every member (each drains), then waits; HAProxy last. */
  private static void stopAll(List<Process> children) {
    for (Process p : children) {
      p.destroy();
    }
    for (Process p : children) {
      try {
        if (!p.waitFor(40, TimeUnit.SECONDS)) {
          log.warn("process {} did not stop; killing it", p.pid());
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
