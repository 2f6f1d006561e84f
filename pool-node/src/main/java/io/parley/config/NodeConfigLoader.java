package io.parley.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads {@code parley.yaml}. Strict on purpose: an unknown key is an error (a typo must not
 * silently fall back to a default on a production pool), every error names the key. Scalars may use
 * {@code ${VAR}} or {@code ${VAR:-default}}, substituted from the environment after parsing (so a
 * password with YAML-special characters cannot break the file's structure).
 */
public final class NodeConfigLoader {

  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private static final Map<String, Set<String>> KEYS =
      Map.of(
          "",
          Set.of("pool", "sip", "tls", "database", "admin", "drain", "xcap"),
          "pool",
          Set.of(
              "name",
              "node-id",
              "bind-host",
              "advertised-host",
              "port",
              "event-bus-port",
              "members",
              "kubernetes-service-dns",
              "min-members"),
          "sip",
          Set.of(
              "domains",
              "host",
              "advertised-host",
              "udp-port",
              "tcp-port",
              "tls-port",
              "max-connections",
              "max-connections-per-address",
              "digest-algorithms"),
          "tls",
          Set.of("dir"),
          "database",
          Set.of("url", "user", "password", "password-file"),
          "admin",
          Set.of("host", "port"),
          "drain",
          Set.of("grace-period"),
          "xcap",
          Set.of("host", "port"));

  public static final int DEFAULT_MAX_CONNECTIONS = 19_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 50;

  private final Function<String, @Nullable String> env;

  /** A loader reading the process environment. */
  public NodeConfigLoader() {
    this(System::getenv);
  }

  /** A loader with its own environment (tests). */
  public NodeConfigLoader(Function<String, @Nullable String> env) {
    this.env = env;
  }

  /** Reads and validates the file; relative paths in it are relative to the file's folder. */
  public NodeConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Path base = file.toAbsolutePath().getParent();
    try {
      return parse(text, base);
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }

  /** Parses YAML text; relative paths resolve against {@code base}. */
  public NodeConfig parse(String yaml, Path base) {
    JsonNode root;
    try {
      root = YAMLMapper.builder().build().readTree(yaml);
    } catch (JacksonException e) {
      throw new ConfigException("not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException("the file is empty");
    }
    Section top = new Section("", root);
    Section pool = top.section("pool");
    Section sip = top.section("sip");

    String defaultNodeId = defaultNodeId();
    String nodeId = pool.string("node-id", defaultNodeId).toLowerCase(Locale.ROOT);
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new ConfigException(
          "pool.node-id: '" + nodeId + "' must be 1-40 of a-z, 0-9 and '-', starting alphanumeric");
    }
    String bindHost = pool.string("bind-host", "0.0.0.0");
    String poolAdvertised = pool.string("advertised-host", advertisedDefault(bindHost));
    List<String> members = pool.strings("members");
    String k8s = pool.optionalString("kubernetes-service-dns");
    if (k8s != null && !members.isEmpty()) {
      throw new ConfigException(
          "pool: give either members (static discovery) or kubernetes-service-dns, not both");
    }
    NodeConfig.Pool p =
        new NodeConfig.Pool(
            pool.string("name", "parley"),
            nodeId,
            bindHost,
            poolAdvertised,
            pool.port("port", 5701, false),
            pool.port("event-bus-port", 5710, true),
            members,
            k8s,
            pool.integer("min-members", 0, 0, 1000));

    List<String> domains = sip.strings("domains");
    if (domains.isEmpty()) {
      throw new ConfigException("sip.domains: at least one SIP domain is required");
    }
    String sipHost = sip.string("host", "0.0.0.0");
    NodeConfig.Sip s =
        new NodeConfig.Sip(
            domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList(),
            sipHost,
            sip.string("advertised-host", advertisedDefault(sipHost)),
            sip.port("udp-port", 5060, true),
            sip.port("tcp-port", 5060, true),
            sip.port("tls-port", 5061, true),
            sip.integer("max-connections", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
            sip.integer(
                "max-connections-per-address", DEFAULT_MAX_CONNECTIONS_PER_ADDRESS, 1, 1_000_000),
            digestAlgorithms(sip.strings("digest-algorithms")));
    if (s.udpPort() < 0 && s.tcpPort() < 0 && s.tlsPort() < 0) {
      throw new ConfigException("sip: every listener is disabled (udp-port, tcp-port, tls-port)");
    }

    Section tls = top.section("tls");
    NodeConfig.Tls t = new NodeConfig.Tls(base.resolve(tls.string("dir", "tls")).normalize());

    NodeConfig.Database db = null;
    if (top.has("database")) {
      Section d = top.section("database");
      String url = d.requiredString("url");
      if (!url.startsWith("jdbc:postgresql:")) {
        throw new ConfigException(
            "database.url: must be a jdbc:postgresql: URL, got '" + url + "'");
      }
      String password = d.optionalString("password");
      String passwordFile = d.optionalString("password-file");
      if (password != null && passwordFile != null) {
        throw new ConfigException("database: give password or password-file, not both");
      }
      if (passwordFile != null) {
        Path pf = base.resolve(passwordFile);
        try {
          password = Files.readString(pf, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new ConfigException("database.password-file: cannot read " + pf, e);
        }
      }
      db =
          new NodeConfig.Database(
              url, d.string("user", "parley"), password == null ? "" : password);
    }

    Section admin = top.section("admin");
    NodeConfig.Admin a =
        new NodeConfig.Admin(admin.string("host", "0.0.0.0"), admin.port("port", 8080, true));
    Section drain = top.section("drain");
    NodeConfig.Drain dr =
        new NodeConfig.Drain(drain.duration("grace-period", Duration.ofSeconds(30)));
    Section xcap = top.section("xcap");
    NodeConfig.Xcap x =
        new NodeConfig.Xcap(xcap.string("host", "0.0.0.0"), xcap.port("port", 8443, true));
    return new NodeConfig(p, s, t, db, a, dr, x);
  }

  /** Digest algorithms to challenge, in order; MD5 and SHA-256 are known. */
  public static List<String> digestAlgorithms(List<String> given) {
    if (given.isEmpty()) {
      return List.of("MD5", "SHA-256");
    }
    List<String> out = new ArrayList<>();
    for (String a : given) {
      String up = a.toUpperCase(Locale.ROOT);
      if (!up.equals("MD5") && !up.equals("SHA-256")) {
        throw new ConfigException("sip.digest-algorithms: '" + a + "' is not one of MD5, SHA-256");
      }
      if (!out.contains(up)) {
        out.add(up);
      }
    }
    return List.copyOf(out);
  }

  private String defaultNodeId() {
    String host = env.apply("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "node";
      }
    }
    String id = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return id.length() > 40 ? id.substring(0, 40) : id;
  }

  /** The address put in Via/Record-Route or given to members when none is configured. */
  static String advertisedDefault(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      return host;
    }
    return NetworkAddresses.firstNonLoopbackIpv4().orElse("127.0.0.1");
  }

  private String substitute(String key, String value) {
    Matcher m = ENV.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.apply(m.group(1));
      if (v == null) {
        if (m.group(2) == null) {
          throw new ConfigException(
              key
                  + ": environment variable "
                  + m.group(1)
                  + " is not set (use ${"
                  + m.group(1)
                  + ":-default} for a fallback)");
        }
        v = m.group(3);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** One mapping of the file, with the dotted path of its keys for error messages. */
  private final class Section {
    private final String path;
    private final @Nullable JsonNode node;

    Section(String path, @Nullable JsonNode node) {
      this.path = path;
      this.node = node;
      if (node != null && !node.isNull()) {
        if (!node.isObject()) {
          throw new ConfigException(
              (path.isEmpty() ? "the top level" : path) + ": expected a mapping of keys");
        }
        Set<String> allowed = KEYS.get(path);
        for (String k : node.propertyNames()) {
          if (allowed == null || !allowed.contains(k)) {
            throw new ConfigException(
                "unknown key '"
                    + key(k)
                    + "' (known here: "
                    + String.join(", ", sorted(allowed))
                    + ")");
          }
        }
      }
    }

    private static List<String> sorted(@Nullable Set<String> s) {
      return s == null ? List.of() : s.stream().sorted().toList();
    }

    String key(String k) {
      return path.isEmpty() ? k : path + "." + k;
    }

    boolean has(String k) {
      return node != null && node.get(k) != null && !node.get(k).isNull();
    }

    Section section(String k) {
      return new Section(key(k), node == null ? null : node.get(k));
    }

    @Nullable String optionalString(String k) {
      if (!has(k)) {
        return null;
      }
      JsonNode v = node.get(k);
      if (!v.isValueNode()) {
        throw new ConfigException(key(k) + ": expected a single value");
      }
      String s = substitute(key(k), v.asString()).strip();
      return s.isEmpty() ? null : s;
    }

    String string(String k, String dflt) {
      String s = optionalString(k);
      return s == null ? dflt : s;
    }

    String requiredString(String k) {
      String s = optionalString(k);
      if (s == null) {
        throw new ConfigException(key(k) + ": required");
      }
      return s;
    }

    List<String> strings(String k) {
      if (!has(k)) {
        return List.of();
      }
      JsonNode v = node.get(k);
      List<String> out = new ArrayList<>();
      if (v.isArray()) {
        for (JsonNode e : v) {
          if (!e.isValueNode()) {
            throw new ConfigException(key(k) + ": expected a list of values");
          }
          addSplit(out, substitute(key(k), e.asString()));
        }
      } else if (v.isValueNode()) {
        addSplit(out, substitute(key(k), v.asString()));
      } else {
        throw new ConfigException(key(k) + ": expected a list");
      }
      return List.copyOf(out);
    }

    /** An environment variable may carry a comma-separated list. */
    private static void addSplit(List<String> out, String value) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }

    int integer(String k, int dflt, int min, int max) {
      String s = optionalString(k);
      if (s == null) {
        return dflt;
      }
      try {
        int v = Integer.parseInt(s);
        if (v < min || v > max) {
          throw new ConfigException(
              key(k) + ": must be between " + min + " and " + max + ", got " + v);
        }
        return v;
      } catch (NumberFormatException e) {
        throw new ConfigException(key(k) + ": expected a whole number, got '" + s + "'");
      }
    }

    int port(String k, int dflt, boolean mayDisable) {
      int v = integer(k, dflt, -1, 65535);
      if (v == -1 && !mayDisable) {
        throw new ConfigException(key(k) + ": cannot be disabled");
      }
      return v;
    }

    Duration duration(String k, Duration dflt) {
      String s = optionalString(k);
      if (s == null) {
        return dflt;
      }
      Matcher m = DURATION.matcher(s.toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new ConfigException(
            key(k) + ": expected a duration like 30s, 500ms, 2m; got '" + s + "'");
      }
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
    }
  }
}
