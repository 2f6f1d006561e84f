package io.parley.cli;

import io.parley.config.NodeConfigLoader;
import io.parley.db.Database;
import io.parley.db.user.UserNames;
import io.parley.sip.transport.SipTransportOptions;
import io.parley.tls.TlsMaterial;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley standalone}: one node with everything embedded (PostgreSQL in the data folder, a
 * self-made CA) — the "Standard Edition" of the original product.
 */
@Command(
    name = "standalone",
    mixinStandardHelpOptions = true,
    description = "Run one Parley node with an embedded database in the data folder.")
final class StandaloneCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(StandaloneCommand.class);
  private static final List<String> DEMO_USERS = List.of("alice", "bob", "carol");

  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data folder (database, certificates; default: ${DEFAULT-VALUE}).",
      defaultValue = "./parley-data")
  Path dataDir = Path.of("./parley-data");

  @Option(
      names = "--domain",
      paramLabel = "DOMAIN",
      description =
          "SIP domain served (default: the one stored in the data folder, else example.test).")
  @org.jspecify.annotations.Nullable
  String domain;

  @Option(
      names = "--demo",
      description = "Create users alice, bob and carol with random passwords (printed once).")
  boolean demo;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.0.0.0")
  String host = "0.0.0.0";

  @Option(
      names = "--advertised-host",
      paramLabel = "HOST",
      description =
          "Host name or address put in Via/Record-Route (default: the listen address; when listening on all, this machine's first non-loopback IPv4 address, else 127.0.0.1).")
  @org.jspecify.annotations.Nullable
  String advertisedHost;

  @Option(
      names = "--udp-port",
      paramLabel = "PORT",
      description = "SIP over UDP port, -1 to disable (default: ${DEFAULT-VALUE}).",
      defaultValue = "5060")
  int udpPort = 5060;

  @Option(
      names = "--tcp-port",
      paramLabel = "PORT",
      description = "SIP over TCP port, -1 to disable (default: ${DEFAULT-VALUE}).",
      defaultValue = "5060")
  int tcpPort = 5060;

  @Option(
      names = "--tls-port",
      paramLabel = "PORT",
      description = "SIP over TLS port, -1 to disable (default: ${DEFAULT-VALUE}).",
      defaultValue = "5061")
  int tlsPort = 5061;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description =
          "Most TCP/TLS connections held at once (default: ${DEFAULT-VALUE}; lowered to the"
              + " process's open-file limit minus 1000 if that is smaller).",
      defaultValue = "19000")
  int maxConnections = SipTransportOptions.DEFAULT_MAX_CONNECTIONS;

  @Option(
      names = "--max-connections-per-address",
      paramLabel = "N",
      description =
          "Most TCP/TLS connections from one IP address (default: ${DEFAULT-VALUE}; raise it"
              + " for clients behind a NAT or a load balancer).",
      defaultValue = "50")
  int maxConnectionsPerAddress = SipTransportOptions.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description =
          "Admin HTTP port on 127.0.0.1 (/health/live, /health/ready, /metrics); -1 = off"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "-1")
  int adminPort = -1;

  @Option(
      names = "--xcap-port",
      paramLabel = "PORT",
      description =
          "XCAP over HTTPS for contact lists and presence rules (docs/xcap.md); -1 = off"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "-1")
  int xcapPort = -1;

  @Option(
      names = "--digest-algorithms",
      paramLabel = "ALG",
      split = ",",
      description =
          "Digest algorithms challenged, in order (default: MD5,SHA-256). Use MD5 alone for"
              + " clients that give up when offered one they lack (baresip 1.x).")
  List<String> digestAlgorithms = List.of();

  @Override
  public Integer call() throws Exception {
    validatePort("--udp-port", udpPort);
    validatePort("--tcp-port", tcpPort);
    validatePort("--tls-port", tlsPort);
    validatePort("--admin-port", adminPort);
    validatePort("--xcap-port", xcapPort);
    validatePositive("--max-connections", maxConnections);
    validatePositive("--max-connections-per-address", maxConnectionsPerAddress);
    PrintWriter out = spec.commandLine().getOut();
    Path dir = dataDir.toAbsolutePath().normalize();

    StandaloneLock lock = StandaloneLock.tryAcquire(dir);
    if (lock == null) {
      throw new CliErrors.CliException("another Parley node is already running on " + dir);
    }
    out.println("parley: starting standalone node, data in " + dir);
    out.flush();
    DataAccess data = null;
    StandaloneNode node = null;
    try {
      out.println("parley: starting embedded PostgreSQL...");
      out.flush();
      data = DataAccess.openEmbedded(dir, 8);
      Database db = data.database();
      String dom = resolveDomain(db);
      TlsMaterial tls = TlsMaterial.ensure(dir.resolve("tls"), dom, subjectAltNames(dom));
      List<String> demoLines = demo ? ensureDemoUsers(db, dom, dir) : List.of();

      node =
          StandaloneNode.start(
              new StandaloneNode.Settings(
                  dom,
                  host,
                  advertisedHost,
                  udpPort,
                  tcpPort,
                  tlsPort,
                  dir.resolve("tls"),
                  maxConnections,
                  maxConnectionsPerAddress,
                  adminPort,
                  xcapPort,
                  NodeConfigLoader.digestAlgorithms(digestAlgorithms)),
              db);

      out.println("parley: domain " + dom);
      for (String listener : node.listeners()) {
        out.println("parley: listening on " + listener);
      }
      out.println("parley: CA certificate for clients to trust: " + dir.resolve("tls/ca.pem"));
      if (!demoLines.isEmpty()) {
        out.println("parley: demo users (also in " + dir.resolve("demo-users.txt") + "):");
        demoLines.forEach(l -> out.println("  " + l));
      } else if (demo) {
        out.println(
            "parley: demo users already exist; passwords in " + dir.resolve("demo-users.txt"));
      }
      out.println("parley: ready. Press Ctrl-C to stop.");
      out.flush();

      CountDownLatch stopped = new CountDownLatch(1);
      StandaloneNode running = node;
      DataAccess runningData = data;
      Thread hook =
          new Thread(
              () -> {
                log.info("stopping");
                try {
                  running.stop();
                } finally {
                  runningData.close();
                  try {
                    lock.close();
                  } catch (IOException ignored) {
                    // the OS drops the lock with the process anyway
                  }
                  stopped.countDown();
                }
              },
              "parley-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      stopped.await();
      return 0;
    } catch (Exception | Error e) {
      if (node != null) {
        node.stop();
      }
      if (data != null) {
        data.close();
      }
      lock.close();
      throw e;
    }
  }

  private static void validatePort(String flag, int port) {
    if (port < -1 || port > 65535) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(new StandaloneCommand()),
          flag + " must be between 0 and 65535, or -1 to disable (was " + port + ")");
    }
  }

  private static void validatePositive(String flag, int value) {
    if (value < 1) {
      throw new picocli.CommandLine.ParameterException(
          new picocli.CommandLine(new StandaloneCommand()),
          flag + " must be at least 1 (was " + value + ")");
    }
  }

  private String resolveDomain(Database db) {
    var stored = db.settings().getString(DataAccess.DOMAIN_SETTING);
    String dom = UserNames.domain(domain != null ? domain : stored.orElse("example.test"));
    if (stored.isPresent() && !stored.get().equals(dom)) {
      log.warn(
          "domain changed from {} to {}; existing users keep their old domain", stored.get(), dom);
    }
    db.settings().putString(DataAccess.DOMAIN_SETTING, dom);
    return dom;
  }

  private List<String> subjectAltNames(String dom) {
    Set<String> sans = new LinkedHashSet<>(List.of(dom, "localhost", "127.0.0.1"));
    try {
      sans.add(InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      log.debug("no local host name for the certificate: {}", e.toString());
    }
    if (!"0.0.0.0".equals(host) && !"::".equals(host)) {
      sans.add(host);
    }
    if (advertisedHost != null) {
      sans.add(advertisedHost);
    }
    return new ArrayList<>(sans);
  }

  /**
   * Creates the demo users that do not exist yet, with random passwords, and appends them to
   * demo-users.txt ("sip:uri password" per line). Returns the lines of users created now.
   */
  static List<String> ensureDemoUsers(Database db, String dom, Path dir) throws IOException {
    SecureRandom random = new SecureRandom();
    List<String> created = new ArrayList<>();
    for (String name : DEMO_USERS) {
      if (db.users().findByUsername(name, dom).isPresent()) {
        continue;
      }
      String password = randomPassword(random);
      String display = Character.toUpperCase(name.charAt(0)) + name.substring(1);
      db.users().create(name, dom, display, dom, password);
      created.add(UserNames.sipUri(name, dom) + " " + password);
    }
    if (!created.isEmpty()) {
      Path file = dir.resolve("demo-users.txt");
      Files.write(
          file,
          created,
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      try {
        Files.setPosixFilePermissions(
            file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        log.debug("cannot restrict permissions of {}", file);
      }
    }
    return created;
  }

  private static String randomPassword(SecureRandom random) {
    // No look-alike characters: people type these.
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    StringBuilder sb = new StringBuilder(14);
    for (int i = 0; i < 14; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
