package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.config.NodeConfig;
import io.parley.config.NodeConfigLoader;
import io.parley.db.Database;
import io.parley.db.testing.TestDatabase;
import io.parley.pool.PoolNode;
import io.parley.testing.ClientDigest;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Presence across pool members (issue #5 point 7): three real {@link PoolNode}s in this JVM (real
 * Hazelcast members, clustered event bus over mutual TLS, one embedded PostgreSQL), JAIN-SIP RI
 * user agents connected to different members, XCAP (HTTPS, Digest) on yet another member. Members
 * A, B, C: presentities publish on A, watchers subscribe on B, rules and lists are edited on C (and
 * A). The tests run in order and share the pool; each uses its own users.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolPresenceIT {

  private static final String DOMAIN = PresenceUa.DOMAIN;
  private static final String[] USERS = {
    "alice", "bob", "dave", "erin", "frank", "carol", "gina", "hank", "ivan", "judy"
  };
  private static final String[] EVENTLIST = {
    "Supported",
    "eventlist",
    "Accept",
    "multipart/related",
    "Accept",
    "application/rlmi+xml",
    "Accept",
    "application/pidf+xml"
  };
  private static final Pattern WATCHER =
      Pattern.compile("<watcher [^>]*status=\"(\\w+)\"[^>]*>([^<]+)</watcher>");

  private static final Duration NOTIFY_WAIT = Duration.ofSeconds(30);

  private static TestDatabase db;
  private static final List<Database> pools = new ArrayList<>();
  private static final List<PoolNode> nodes = new CopyOnWriteArrayList<>();
  private static final List<PresenceUa> uas = new CopyOnWriteArrayList<>();
  private static PoolNode a;
  private static PoolNode b;
  private static PoolNode c;
  private static HttpClient https;

  @BeforeAll
  static void startPool() throws Exception {
    db = TestDatabase.start();
    for (String u : USERS) {
      db.database().users().create(u, DOMAIN, null, DOMAIN, u + "-secret");
    }
    Path root = Files.createTempDirectory("parley-pool-presence");
    String pool = "presence-it-" + Long.toHexString(System.nanoTime());
    int[] ports = {freePort(), freePort(), freePort()};
    List<String> members = new ArrayList<>();
    for (int p : ports) {
      members.add("127.0.0.1:" + p);
    }
    // Members start one after the other here (the first forms the pool), so Hazelcast's wait for
    // simultaneously started members is not needed; production keeps its default.
    String joinWait = System.getProperty("hazelcast.wait.seconds.before.join");
    System.setProperty("hazelcast.wait.seconds.before.join", "1");
    try {
      a = start(root, pool, "node-a", ports[0], members);
      // The other two join the formed pool together.
      CompletableFuture<PoolNode> second =
          CompletableFuture.supplyAsync(
              () -> startUnchecked(root, pool, "node-b", ports[1], members));
      CompletableFuture<PoolNode> third =
          CompletableFuture.supplyAsync(
              () -> startUnchecked(root, pool, "node-c", ports[2], members));
      b = second.join();
      c = third.join();
    } finally {
      if (joinWait == null) {
        System.clearProperty("hazelcast.wait.seconds.before.join");
      } else {
        System.setProperty("hazelcast.wait.seconds.before.join", joinWait);
      }
    }
    assertThat(a.members()).hasSize(3);
    https =
        HttpClient.newBuilder()
            .sslContext(trusting(root.resolve("node-a/tls/ca.pem")))
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private static PoolNode start(
      Path root, String pool, String nodeId, int hazelcastPort, List<String> members)
      throws Exception {
    NodeConfig config =
        new NodeConfig(
            new NodeConfig.Pool(
                pool, nodeId, "127.0.0.1", "127.0.0.1", hazelcastPort, 0, members, null, 0),
            new NodeConfig.Sip(
                List.of(DOMAIN),
                "127.0.0.1",
                "127.0.0.1",
                -1,
                0,
                -1,
                1_000,
                100,
                NodeConfigLoader.digestAlgorithms(List.of())),
            new NodeConfig.Tls(root.resolve(nodeId).resolve("tls")),
            null,
            new NodeConfig.Admin("127.0.0.1", -1),
            new NodeConfig.Drain(Duration.ZERO),
            new NodeConfig.Xcap("127.0.0.1", 0));
    Database database = Database.open(db.config(4));
    synchronized (pools) {
      pools.add(database);
    }
    PoolNode node = PoolNode.start(config, database);
    nodes.add(node);
    return node;
  }

  private static PoolNode startUnchecked(
      Path root, String pool, String nodeId, int hazelcastPort, List<String> members) {
    try {
      return start(root, pool, nodeId, hazelcastPort, members);
    } catch (Exception e) {
      throw new IllegalStateException(nodeId + " did not start", e);
    }
  }

  @AfterAll
  static void stopPool() throws Exception {
    uas.forEach(PresenceUa::close);
    PresenceUa.awaitStopped();
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (PoolNode n : nodes) {
      stops.add(CompletableFuture.runAsync(n::stop));
    }
    stops.forEach(CompletableFuture::join);
    pools.forEach(Database::close);
    if (db != null) {
      db.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Trusts the pool CA that issued the members' certificates (XCAP is HTTPS with them). */
  private static SSLContext trusting(Path caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      trust.setCertificateEntry(
          "pool-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return ssl;
  }

  /** A user agent of {@code user}, connected to {@code node} over TCP and registered there. */
  private static PresenceUa ua(String user, PoolNode node) throws Exception {
    PresenceUa ua = new PresenceUa(user, user + "-secret", node.sip().actualTcpPort());
    uas.add(ua);
    int status = ua.register();
    // A loaded CI machine can time out the first credential read (503 + Retry-After): a client
    // registers again, and so does this one.
    for (int retry = 0; status == 503 && retry < 3; retry++) {
      Thread.sleep(1_000);
      status = ua.register();
    }
    assertThat(status).as("%s registers on %s", user, node).isEqualTo(200);
    return ua;
  }

  /**
   * The first NOTIFY to {@code ua} in {@code d} that matches. Across members on a shared CI machine
   * a NOTIFY can take longer than the single-node default; a missing one still fails.
   */
  private static Request awaitNotify(
      PresenceUa ua, PresenceUa.Dialog d, java.util.function.Predicate<Request> matching) {
    return ua.awaitNotify(d, matching, NOTIFY_WAIT);
  }

  private static String aor(String user) {
    return "sip:" + user + "@" + DOMAIN;
  }

  /** An XCAP request of {@code user} to {@code node}: one try for the challenge, then Digest. */
  private static HttpResponse<String> xcap(
      PoolNode node, String user, String method, String path, String body, String contentType)
      throws Exception {
    URI uri = URI.create("https://127.0.0.1:" + node.xcapPort() + path);
    HttpResponse<String> challenge =
        https.send(
            xcapRequest(uri, method, body, contentType).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(challenge.statusCode()).isEqualTo(401);
    String auth =
        ClientDigest.answer(
            challenge.headers().allValues("WWW-Authenticate").get(0),
            user,
            user + "-secret",
            method,
            path,
            1);
    return https.send(
        xcapRequest(uri, method, body, contentType).header("Authorization", auth).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder xcapRequest(
      URI uri, String method, String body, String contentType) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (!contentType.isEmpty()) {
      r.header("Content-Type", contentType);
    }
    return r;
  }

  /** {@code user}'s pres-rules document: one rule per watcher, {@code sub-handling} values. */
  private static HttpResponse<String> putRules(
      PoolNode node, String user, Map<String, String> rules) throws Exception {
    StringBuilder doc =
        new StringBuilder(
            "<cr:ruleset xmlns:cr=\"urn:ietf:params:xml:ns:common-policy\""
                + " xmlns:pr=\"urn:ietf:params:xml:ns:pres-rules\">");
    int i = 0;
    for (Map.Entry<String, String> r : rules.entrySet()) {
      doc.append("<cr:rule id=\"r")
          .append(i++)
          .append("\"><cr:conditions><cr:identity><cr:one id=\"")
          .append(r.getKey())
          .append("\"/></cr:identity></cr:conditions><cr:actions><pr:sub-handling>")
          .append(r.getValue())
          .append("</pr:sub-handling></cr:actions></cr:rule>");
    }
    doc.append("</cr:ruleset>");
    return xcap(
        node,
        user,
        "PUT",
        "/xcap/pres-rules/users/" + aor(user) + "/index",
        doc.toString(),
        "application/auth-policy+xml");
  }

  private static String pidf(String user, String note) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:%s@%s">
          <tuple id="t1"><status><basic>open</basic></status><note>%s</note></tuple>
        </presence>
        """
        .formatted(user, DOMAIN, note);
  }

  /** watcher AOR → status, from a watcherinfo document. */
  private static Map<String, String> watchers(Request winfoNotify) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = WATCHER.matcher(PresenceUa.body(winfoNotify));
    while (m.find()) {
      out.put(m.group(2), m.group(1));
    }
    return out;
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  @Order(1)
  void aBlockEditedOnAThirdMemberTurnsThePresentityOfflineForAWatcherOnAnother() throws Exception {
    PresenceUa alice = ua("alice", a);
    PresenceUa bob = ua("bob", b);
    PresenceUa dave = ua("dave", b);
    Response published = alice.publish(pidf("alice", "alice at work"), null, 600, "presence");
    assertThat(published.getStatusCode()).isEqualTo(200);

    Response bobOk = bob.subscribe(aor("alice"), "presence", 600);
    assertThat(bobOk.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog bobSees = PresenceUa.dialogOf(bobOk);
    awaitNotify(bob, bobSees, n -> PresenceUa.body(n).contains("alice at work"));
    Response daveOk = dave.subscribe(aor("alice"), "presence", 600);
    PresenceUa.Dialog daveSees = PresenceUa.dialogOf(daveOk);
    awaitNotify(dave, daveSees, n -> PresenceUa.body(n).contains("alice at work"));

    // alice blocks bob through XCAP on member C.
    assertThat(putRules(c, "alice", Map.of(aor("bob"), "block")).statusCode()).isEqualTo(201);
    Request offline =
        awaitNotify(bob, bobSees, n -> PresenceUa.body(n).contains("<basic>closed</basic>"));
    // A polite block: the subscription stays active and looks like an offline user.
    assertThat(PresenceUa.header(offline, "Subscription-State")).startsWith("active");
    assertThat(PresenceUa.body(offline)).doesNotContain("alice at work");

    // alice publishes again on A: dave (same member as bob) sees it, bob still sees nothing.
    int bobBefore = bob.notifiesIn(bobSees).size();
    Response again =
        alice.publish(
            pidf("alice", "alice after the block"),
            PresenceUa.header(published, "SIP-ETag"),
            600,
            "presence");
    assertThat(again.getStatusCode()).isEqualTo(200);
    awaitNotify(dave, daveSees, n -> PresenceUa.body(n).contains("alice after the block"));
    assertThat(bob.notifiesIn(bobSees)).hasSize(bobBefore);
    assertThat(bob.notifiesIn(bobSees))
        .noneMatch(n -> PresenceUa.body(n).contains("alice after the block"));

    // A new subscription of bob, on member C this time, is blocked as well.
    PresenceUa bobElsewhere = ua("bob", c);
    Response fetch = bobElsewhere.subscribe(aor("alice"), "presence", 0);
    assertThat(fetch.getStatusCode()).isEqualTo(200);
    Request fetched = awaitNotify(bobElsewhere, PresenceUa.dialogOf(fetch), n -> true);
    assertThat(PresenceUa.body(fetched))
        .contains("<basic>closed</basic>")
        .doesNotContain("alice after the block");
  }

  @Test
  @Order(2)
  void aPendingWatcherOnOneMemberIsShownInWinfoAndAllowedFromAnother() throws Exception {
    PresenceUa gina = ua("gina", a);
    PresenceUa hank = ua("hank", b);
    Response published = gina.publish(pidf("gina", "gina reachable"), null, 600, "presence");
    assertThat(published.getStatusCode()).isEqualTo(200);
    // gina wants to confirm hank first (pres-rules "confirm" = pending).
    assertThat(putRules(c, "gina", Map.of(aor("hank"), "confirm")).statusCode()).isEqualTo(201);

    Response winfoOk = gina.subscribe(aor("gina"), "presence.winfo", 600);
    assertThat(winfoOk.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog winfo = PresenceUa.dialogOf(winfoOk);
    awaitNotify(gina, winfo, n -> watchers(n).isEmpty());

    Response pending = hank.subscribe(aor("gina"), "presence", 600);
    assertThat(pending.getStatusCode()).isEqualTo(202);
    PresenceUa.Dialog hankSees = PresenceUa.dialogOf(pending);
    Request first = awaitNotify(hank, hankSees, n -> true);
    assertThat(PresenceUa.header(first, "Subscription-State")).startsWith("pending");
    assertThat(first.getRawContent()).isNull();
    Request named = awaitNotify(gina, winfo, n -> "pending".equals(watchers(n).get(aor("hank"))));
    assertThat(PresenceUa.header(named, "Content-Type")).isEqualTo("application/watcherinfo+xml");

    // gina allows hank through XCAP on member C.
    assertThat(putRules(c, "gina", Map.of(aor("hank"), "allow")).statusCode()).isEqualTo(200);
    Request active =
        awaitNotify(hank, hankSees, n -> PresenceUa.body(n).contains("gina reachable"));
    assertThat(PresenceUa.header(active, "Subscription-State")).startsWith("active");
    Request approved = awaitNotify(gina, winfo, n -> "active".equals(watchers(n).get(aor("hank"))));
    assertThat(PresenceUa.body(approved)).contains("event=\"approved\"");
  }

  @Test
  @Order(3)
  void aListSubscriptionOnOneMemberFollowsMembersOnOthersAndLiveXcapEdits() throws Exception {
    PresenceUa ivan = ua("ivan", b);
    PresenceUa frank = ua("frank", a);
    PresenceUa carol = ua("carol", c);
    PresenceUa judy = ua("judy", c);
    String list =
        """
        <resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
          <list name="buddies">
            <entry uri="sip:frank@example.test"/>
            <entry uri="sip:carol@example.test"/>
          </list>
        </resource-lists>
        """;
    String doc = "/xcap/resource-lists/users/" + aor("ivan") + "/index";
    assertThat(xcap(c, "ivan", "PUT", doc, list, "application/resource-lists+xml").statusCode())
        .isEqualTo(201);

    Response ok = ivan.subscribe(aor("ivan") + ";list=buddies", "presence", 600, EVENTLIST);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    ResourceListIT.ListNotify full = ResourceListIT.read(awaitNotify(ivan, d, n -> true));
    assertThat(full.fullState()).isTrue();
    assertThat(full.states())
        .containsExactly(Map.entry(aor("frank"), "active"), Map.entry(aor("carol"), "active"));

    // Members publish on A and on C; the list watcher on B gets both.
    assertThat(frank.publish(pidf("frank", "frank on A"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    assertThat(carol.publish(pidf("carol", "carol on C"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    awaitNotify(ivan, d, n -> PresenceUa.body(n).contains("frank on A"));
    awaitNotify(ivan, d, n -> PresenceUa.body(n).contains("carol on C"));
    // The list subscription watches each member on ivan's behalf: their watcher info says so.
    Response frankWinfoOk = frank.subscribe(aor("frank"), "presence.winfo", 600);
    assertThat(frankWinfoOk.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog frankWinfo = PresenceUa.dialogOf(frankWinfoOk);
    awaitNotify(frank, frankWinfo, n -> "active".equals(watchers(n).get(aor("ivan"))));

    // ivan adds judy on member A: the active subscription (on B) shows her, no re-SUBSCRIBE.
    String judyEntry =
        doc
            + "/~~/resource-lists/list%5B@name=%22buddies%22%5D"
            + "/entry%5B@uri=%22sip:judy@example.test%22%5D";
    assertThat(
            xcap(
                    a,
                    "ivan",
                    "PUT",
                    judyEntry,
                    "<entry xmlns=\"urn:ietf:params:xml:ns:resource-lists\""
                        + " uri=\"sip:judy@example.test\"/>",
                    "application/xcap-el+xml")
                .statusCode())
        .isEqualTo(201);
    ResourceListIT.ListNotify withJudy =
        ResourceListIT.read(
            awaitNotify(ivan, d, n -> ResourceListIT.read(n).states().containsKey(aor("judy"))));
    assertThat(withJudy.fullState()).isTrue();
    assertThat(withJudy.states()).containsOnlyKeys(aor("frank"), aor("carol"), aor("judy"));
    assertThat(judy.publish(pidf("judy", "judy on C"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    awaitNotify(ivan, d, n -> PresenceUa.body(n).contains("judy on C"));

    // ivan removes frank on member C: the next NOTIFY is the whole list without him.
    String frankEntry =
        doc
            + "/~~/resource-lists/list%5B@name=%22buddies%22%5D"
            + "/entry%5B@uri=%22sip:frank@example.test%22%5D";
    assertThat(xcap(c, "ivan", "DELETE", frankEntry, "", "").statusCode()).isEqualTo(200);
    ResourceListIT.ListNotify withoutFrank =
        ResourceListIT.read(
            awaitNotify(
                ivan,
                d,
                n ->
                    ResourceListIT.read(n).fullState()
                        && !ResourceListIT.read(n).states().containsKey(aor("frank"))));
    assertThat(withoutFrank.states()).containsOnlyKeys(aor("carol"), aor("judy"));
    awaitNotify(frank, frankWinfo, n -> !watchers(n).containsKey(aor("ivan")));
    // frank's changes no longer reach ivan; judy's still do. Both publish on member A, whose
    // events reach B in order: the NOTIFY with judy's change is built after frank's was seen.
    PresenceUa judyOnA = ua("judy", a);
    assertThat(
            frank.publish(pidf("frank", "frank unlisted"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    Response judyAgain = judyOnA.publish(pidf("judy", "judy still listed"), null, 600, "presence");
    assertThat(judyAgain.getStatusCode()).isEqualTo(200);
    awaitNotify(ivan, d, n -> PresenceUa.body(n).contains("judy still listed"));
    assertThat(ivan.notifiesIn(d)).noneMatch(n -> PresenceUa.body(n).contains("frank unlisted"));
  }
}
