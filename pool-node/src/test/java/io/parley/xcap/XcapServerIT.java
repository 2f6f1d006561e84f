package io.parley.xcap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.parley.app.JdbcCredentialSource;
import io.parley.db.contacts.ContactEntry;
import io.parley.db.contacts.ContactGroup;
import io.parley.db.contacts.ContactListRepository;
import io.parley.db.contacts.PresenceRuleSetRepository;
import io.parley.db.presence.PresenceRuleRepository;
import io.parley.db.testing.TestDatabase;
import io.parley.presence.DatabasePresenceRules;
import io.parley.presence.InMemoryPresenceEvents;
import io.parley.presence.PresenceEvent;
import io.parley.presence.WatcherAccess;
import io.parley.testing.ClientDigest;
import io.parley.testing.LogCapture;
import io.parley.testing.RawHttp;
import io.parley.tls.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** XcapServer over a real PostgreSQL, driven by a plain HTTP client doing Digest by hand. */
class XcapServerIT {

  private static final String DOMAIN = "example.test";
  private static final String ALICE = "sip:alice@example.test";
  private static final String BOB = "sip:bob@example.test";
  private static final String RL = "/xcap/resource-lists/users/" + ALICE + "/index";
  private static final String LIST_DOC =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <rl:resource-lists xmlns:rl="urn:ietf:params:xml:ns:resource-lists">
        <rl:list name="friends">
          <rl:display-name>Friends</rl:display-name>
          <rl:entry uri="sip:bob@example.test"><rl:display-name>Bob</rl:display-name></rl:entry>
          <rl:entry uri="sip:carol@other.test"/>
        </rl:list>
        <rl:list name="work"/>
      </rl:resource-lists>
      """;

  private static TestDatabase db;
  private static Vertx vertx;
  private static XcapServer server;
  private static final List<PresenceEvent> events = new CopyOnWriteArrayList<>();
  private static InMemoryPresenceEvents presenceEvents;
  private static DatabasePresenceRules presenceRules;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.start();
    vertx = Vertx.vertx();
    presenceEvents = new InMemoryPresenceEvents();
    presenceEvents.subscribe(events::add);
    presenceRules =
        new DatabasePresenceRules(
            vertx,
            new PresenceRuleRepository(db.dsl()),
            db.database().users(),
            presenceEvents,
            true);
    server =
        new XcapServer(
            vertx,
            "127.0.0.1",
            0,
            null,
            Set.of(DOMAIN),
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII),
            new JdbcCredentialSource(vertx, db.database().credentials()),
            new ContactListRepository(db.dsl()),
            new PresenceRuleSetRepository(db.dsl()),
            (presentity, watcher) ->
                presenceEvents.publish(new PresenceEvent.RulesChanged(presentity, watcher)),
            owner -> presenceEvents.publish(new PresenceEvent.ListsChanged(owner)));
    server.start().await(10, TimeUnit.SECONDS);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().await(5, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(5, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void users() {
    db.truncateAll();
    db.database().users().create("alice", DOMAIN, "Alice", DOMAIN, "alice-pw");
    db.database().users().create("bob", DOMAIN, "Bob", DOMAIN, "bob-pw");
    events.clear();
  }

  // ------------------------------------------------------------------ helpers

  private static HttpRequest.Builder request(String method, String path, byte[] body) {
    HttpRequest.BodyPublisher publisher =
        body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body);
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, publisher);
  }

  private static HttpResponse<String> plain(HttpRequest r) throws Exception {
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** A request as {@code user}: one unauthenticated try for the challenge, then the answer. */
  private static HttpResponse<String> as(
      String user, String password, String method, String path, String body, String... headers)
      throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> challenge = plain(request(method, path, bytes).build());
    assertThat(challenge.statusCode()).isEqualTo(401);
    String wwwAuthenticate = challenge.headers().allValues("WWW-Authenticate").get(0);
    HttpRequest.Builder b =
        request(method, path, bytes)
            .header(
                "Authorization",
                ClientDigest.answer(wwwAuthenticate, user, password, method, path, 1));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return plain(b.build());
  }

  private static HttpResponse<String> alice(
      String method, String path, String body, String... headers) throws Exception {
    return as("alice", "alice-pw", method, path, body, headers);
  }

  private static String etag(HttpResponse<?> r) {
    return r.headers().firstValue("ETag").orElseThrow();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void aRequestWithoutCredentialsIsChallengedInTheSipDomainsRealm() throws Exception {
    HttpResponse<String> r = plain(request("GET", RL, new byte[0]).build());

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().allValues("WWW-Authenticate"))
        .hasSize(2)
        .allSatisfy(v -> assertThat(v).startsWith("Digest realm=\"example.test\""))
        .anySatisfy(v -> assertThat(v).contains("algorithm=MD5"))
        .anySatisfy(v -> assertThat(v).contains("algorithm=SHA-256"));
  }

  @Test
  void aWrongPasswordIsChallengedAgain() throws Exception {
    assertThat(as("alice", "wrong", "GET", RL, "").statusCode()).isEqualTo(401);
  }

  @Test
  void aPutListIsServedBackWithTheSameContentAndETag() throws Exception {
    HttpResponse<String> put =
        alice(
            "PUT", RL, LIST_DOC, "Content-Type", ResourceLists.CONTENT_TYPE, "If-None-Match", "*");
    assertThat(put.statusCode()).isEqualTo(201);

    HttpResponse<String> get = alice("GET", RL, "");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Content-Type")).contains(ResourceLists.CONTENT_TYPE);
    assertThat(etag(get)).isEqualTo(etag(put));
    assertThat(ResourceLists.parse(get.body().getBytes(StandardCharsets.UTF_8)))
        .containsExactly(
            new ContactGroup(
                "friends",
                "Friends",
                List.of(
                    new ContactEntry("sip:bob@example.test", "Bob"),
                    new ContactEntry("sip:carol@other.test", null))),
            new ContactGroup("work", null, List.of()));
    assertThat(new ContactListRepository(db.dsl()).find(ALICE).orElseThrow()).hasSize(2);
  }

  @Test
  void everyResourceListsEditThatChangesTheDocumentIsAnnouncedOnceAfterTheCommit()
      throws Exception {
    String type = ResourceLists.CONTENT_TYPE;
    assertThat(alice("PUT", RL, LIST_DOC, "Content-Type", type).statusCode()).isEqualTo(201);
    assertThat(events).containsExactly(new PresenceEvent.ListsChanged(ALICE));

    events.clear();
    // The same document again, a failed condition, a read: nothing changed, nothing announced.
    assertThat(alice("PUT", RL, LIST_DOC, "Content-Type", type).statusCode()).isEqualTo(200);
    assertThat(alice("PUT", RL, LIST_DOC, "Content-Type", type, "If-Match", "\"x\"").statusCode())
        .isEqualTo(412);
    assertThat(alice("GET", RL, "").statusCode()).isEqualTo(200);
    assertThat(events).isEmpty();

    String entry =
        RL
            + "/~~/resource-lists/list%5B@name=%22friends%22%5D"
            + "/entry%5B@uri=%22sip:dave@example.test%22%5D";
    assertThat(
            alice(
                    "PUT",
                    entry,
                    "<entry xmlns=\"urn:ietf:params:xml:ns:resource-lists\""
                        + " uri=\"sip:dave@example.test\"/>",
                    "Content-Type",
                    XcapServer.ELEMENT_TYPE)
                .statusCode())
        .isEqualTo(201);
    assertThat(events).containsExactly(new PresenceEvent.ListsChanged(ALICE));

    events.clear();
    assertThat(alice("DELETE", entry, "").statusCode()).isEqualTo(200);
    assertThat(alice("DELETE", RL, "").statusCode()).isEqualTo(200);
    assertThat(events)
        .containsExactly(
            new PresenceEvent.ListsChanged(ALICE), new PresenceEvent.ListsChanged(ALICE));
  }

  @Test
  void aStaleETagIsAPreconditionFailure() throws Exception {
    String type = ResourceLists.CONTENT_TYPE;
    String first = etag(alice("PUT", RL, LIST_DOC, "Content-Type", type));
    String changed = LIST_DOC.replace("name=\"work\"", "name=\"office\"");
    HttpResponse<String> second =
        alice("PUT", RL, changed, "Content-Type", type, "If-Match", first);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(etag(second)).isNotEqualTo(first);

    assertThat(alice("PUT", RL, LIST_DOC, "Content-Type", type, "If-Match", first).statusCode())
        .isEqualTo(412);
    assertThat(alice("DELETE", RL, "", "If-Match", first).statusCode()).isEqualTo(412);
    assertThat(alice("PUT", RL, LIST_DOC, "Content-Type", type, "If-None-Match", "*").statusCode())
        .isEqualTo(412);
    HttpResponse<String> notModified = alice("GET", RL, "", "If-None-Match", etag(second));
    assertThat(notModified.statusCode()).isEqualTo(304);
    assertThat(etag(notModified)).isEqualTo(etag(second));
    assertThat(alice("GET", RL, "").body()).contains("name=\"office\"");

    assertThat(alice("DELETE", RL, "", "If-Match", etag(second)).statusCode()).isEqualTo(200);
    assertThat(alice("GET", RL, "").statusCode()).isEqualTo(404);
  }

  @Test
  void ofTwoConcurrentWritesWithTheSameETagOnlyOneWins() throws Exception {
    String type = ResourceLists.CONTENT_TYPE;
    String base = etag(alice("PUT", RL, LIST_DOC, "Content-Type", type));
    List<HttpRequest> writes = new ArrayList<>();
    for (String name : List.of("one", "two", "three", "four")) {
      byte[] body =
          LIST_DOC
              .replace("name=\"work\"", "name=\"" + name + "\"")
              .getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> challenge = plain(request("PUT", RL, body).build());
      writes.add(
          request("PUT", RL, body)
              .header("Content-Type", type)
              .header("If-Match", base)
              .header(
                  "Authorization",
                  ClientDigest.answer(
                      challenge.headers().allValues("WWW-Authenticate").get(0),
                      "alice",
                      "alice-pw",
                      "PUT",
                      RL,
                      1))
              .build());
    }
    List<CompletableFuture<HttpResponse<String>>> sent =
        writes.stream().map(r -> http.sendAsync(r, HttpResponse.BodyHandlers.ofString())).toList();
    List<Integer> statuses = new ArrayList<>();
    for (var f : sent) {
      statuses.add(f.get(20, TimeUnit.SECONDS).statusCode());
    }

    assertThat(statuses).containsOnly(200, 412).containsOnlyOnce(200);
  }

  @Test
  void aUserCannotTouchAnotherUsersDocuments() throws Exception {
    String bobs = "/xcap/resource-lists/users/" + BOB + "/index";
    assertThat(alice("GET", bobs, "").statusCode()).isEqualTo(403);
    assertThat(
            alice("PUT", bobs, LIST_DOC, "Content-Type", ResourceLists.CONTENT_TYPE).statusCode())
        .isEqualTo(403);
    assertThat(new ContactListRepository(db.dsl()).find(BOB)).isEmpty();
  }

  @Test
  void aPresRulesBlockMakesPresenceBlockThatWatcher() throws Exception {
    String rules = "/xcap/pres-rules/users/" + BOB + "/index";
    // Same domain: allowed by default until Bob says otherwise.
    assertThat(presenceRules.decide(BOB, ALICE).await(5, TimeUnit.SECONDS))
        .isEqualTo(WatcherAccess.ALLOW);
    String doc =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <cr:ruleset xmlns:cr="urn:ietf:params:xml:ns:common-policy"
            xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
          <cr:rule id="no_alice">
            <cr:conditions><cr:identity><cr:one id="sip:Alice@example.test"/></cr:identity></cr:conditions>
            <cr:actions><pr:sub-handling>block</pr:sub-handling></cr:actions>
          </cr:rule>
        </cr:ruleset>
        """;

    HttpResponse<String> put =
        as("bob", "bob-pw", "PUT", rules, doc, "Content-Type", PresRules.CONTENT_TYPE);

    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(presenceRules.decide(BOB, ALICE).await(5, TimeUnit.SECONDS))
        .isEqualTo(WatcherAccess.BLOCK);
    assertThat(events).containsExactly(new PresenceEvent.RulesChanged(BOB, ALICE));
    HttpResponse<String> get = as("bob", "bob-pw", "GET", rules, "");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Content-Type")).contains(PresRules.CONTENT_TYPE);
    assertThat(get.body()).contains("<cr:one id=\"sip:alice@example.test\"/>", "polite-block");
    assertThat(etag(get)).isEqualTo(etag(put));

    events.clear();
    assertThat(as("bob", "bob-pw", "DELETE", rules, "").statusCode()).isEqualTo(200);
    assertThat(presenceRules.decide(BOB, ALICE).await(5, TimeUnit.SECONDS))
        .isEqualTo(WatcherAccess.ALLOW);
    assertThat(events).containsExactly(new PresenceEvent.RulesChanged(BOB, ALICE));
    assertThat(as("bob", "bob-pw", "GET", rules, "").statusCode()).isEqualTo(404);
  }

  @Test
  void oneListOrEntryIsReadWrittenAndDeletedThroughANodeSelector() throws Exception {
    String type = ResourceLists.CONTENT_TYPE;
    String entry =
        RL
            + "/~~/resource-lists/list%5B@name=%22work%22%5D"
            + "/entry%5B@uri=%22sip:dave@example.test%22%5D";
    String fragment =
        "<entry uri=\"sip:dave@example.test\"><display-name>Dave</display-name></entry>";
    assertThat(alice("PUT", entry, fragment, "Content-Type", XcapServer.ELEMENT_TYPE).statusCode())
        .isEqualTo(409); // no document yet: no parent
    alice("PUT", RL, LIST_DOC, "Content-Type", type);

    HttpResponse<String> put =
        alice("PUT", entry, fragment, "Content-Type", XcapServer.ELEMENT_TYPE);
    assertThat(put.statusCode()).isEqualTo(201);
    HttpResponse<String> get = alice("GET", entry, "");
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.headers().firstValue("Content-Type")).contains(XcapServer.ELEMENT_TYPE);
    assertThat(get.body()).contains("sip:dave@example.test", "Dave");
    assertThat(etag(get)).isEqualTo(etag(put));
    assertThat(alice("GET", RL + "/~~/resource-lists/list%5B@name=%22work%22%5D", "").body())
        .contains("sip:dave@example.test");

    assertThat(
            alice(
                    "PUT",
                    entry,
                    "<entry uri=\"sip:eve@example.test\"/>",
                    "Content-Type",
                    XcapServer.ELEMENT_TYPE)
                .statusCode())
        .isEqualTo(409);
    assertThat(alice("DELETE", entry, "").statusCode()).isEqualTo(200);
    assertThat(alice("GET", entry, "").statusCode()).isEqualTo(404);
    assertThat(alice("GET", RL, "").body()).contains("sip:bob@example.test").doesNotContain("dave");
  }

  @Test
  void badRequestsGetPreciseErrors() throws Exception {
    assertThat(alice("PUT", RL, LIST_DOC, "Content-Type", "text/xml").statusCode()).isEqualTo(415);
    HttpResponse<String> malformed =
        alice("PUT", RL, "<resource-lists", "Content-Type", ResourceLists.CONTENT_TYPE);
    assertThat(malformed.statusCode()).isEqualTo(409);
    assertThat(malformed.headers().firstValue("Content-Type")).contains(XcapServer.ERROR_TYPE);
    assertThat(malformed.body()).contains("<not-well-formed/>");
    HttpResponse<String> post = plain(request("POST", RL, new byte[] {'x'}).build());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET, PUT, DELETE");
    assertThat(
            plain(request("GET", "/xcap/unknown/users/" + ALICE + "/index", new byte[0]).build())
                .statusCode())
        .isEqualTo(404);
    assertThat(alice("GET", "/xcap/resource-lists/users/" + ALICE + "/other", "").statusCode())
        .isEqualTo(404);

    byte[] huge = new byte[XcapServer.MAX_BODY + 1];
    Arrays.fill(huge, (byte) ' ');
    HttpResponse<String> tooLarge =
        plain(request("PUT", RL, huge).header("Content-Type", ResourceLists.CONTENT_TYPE).build());
    assertThat(tooLarge.statusCode()).isEqualTo(413);
  }

  @Test
  void aPathWithABrokenEscapeIs400WithoutAnErrorInTheLog() throws Exception {
    try (LogCapture vertxWeb = LogCapture.of("io.vertx.ext.web")) {
      assertThat(
              RawHttp.statusLine(
                  server.actualPort(), "/xcap/resource-lists/users/sip:a%zzb@example.test/index"))
          .isEqualTo("HTTP/1.1 400 Bad Request");
      assertThat(vertxWeb.events()).noneMatch(e -> e.getLevel() == Level.ERROR);
    }
  }

  @Test
  void theHttpsListenerAuthenticatesAndServesTheSameDocuments() throws Exception {
    io.parley.tls.TestCertificates certs = TestCertificates.localhost();
    XcapServer https =
        new XcapServer(
            vertx,
            "127.0.0.1",
            0,
            new PemKeyCertOptions()
                .setCertValue(Buffer.buffer(certs.certificateChainPem()))
                .setKeyValue(Buffer.buffer(certs.privateKeyPem())),
            Set.of(DOMAIN),
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII),
            new JdbcCredentialSource(vertx, db.database().credentials()),
            new ContactListRepository(db.dsl()),
            new PresenceRuleSetRepository(db.dsl()),
            (p, w) -> {},
            ListChangeListener.none());
    https.start().await(10, TimeUnit.SECONDS);
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(certs.trustStore());
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(ssl)
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      URI uri = URI.create("https://localhost:" + https.actualPort() + RL);
      new ContactListRepository(db.dsl())
          .replace(ALICE, List.of(new ContactGroup("g", null, List.of())));
      HttpResponse<String> challenge =
          client.send(
              HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(challenge.statusCode()).isEqualTo(401);
      String auth =
          ClientDigest.answer(
              challenge.headers().allValues("WWW-Authenticate").get(0),
              "alice",
              "alice-pw",
              "GET",
              RL,
              1);
      HttpResponse<String> get =
          client.send(
              HttpRequest.newBuilder(uri).header("Authorization", auth).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).contains("<list name=\"g\">");
    } finally {
      https.stop().await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void credentialsForAnotherUriAreRefused() throws Exception {
    HttpResponse<String> challenge = plain(request("GET", RL, new byte[0]).build());
    String auth =
        ClientDigest.answer(
            challenge.headers().allValues("WWW-Authenticate").get(0),
            "alice",
            "alice-pw",
            "GET",
            "/xcap/xcap-caps/global/index",
            1);
    assertThat(
            plain(request("GET", RL, new byte[0]).header("Authorization", auth).build())
                .statusCode())
        .isEqualTo(400);
  }

  /** The docs/xcap.md examples: curl's Digest (first challenge, MD5) against the raw XUI path. */
  @Test
  void curlWithDigestEditsTheContactList() throws Exception {
    Path curl = Path.of("/usr/bin/curl");
    Assumptions.assumeTrue(Files.isExecutable(curl), "curl not installed");
    Path doc = Files.createTempFile("friends", ".xml");
    try {
      Files.writeString(doc, LIST_DOC);
      String url = "http://127.0.0.1:" + server.actualPort() + RL;
      assertThat(
              curl(
                  curl.toString(),
                  "-s",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "--digest",
                  "-u",
                  "alice:alice-pw",
                  "-H",
                  "Content-Type: " + ResourceLists.CONTENT_TYPE,
                  "-T",
                  doc.toString(),
                  url))
          .isEqualTo("201");
      String entry =
          url
              + "/~~/resource-lists/list%5B@name=%22work%22%5D/entry%5B@uri=%22sip:dan@x.test%22%5D";
      assertThat(
              curl(
                  curl.toString(),
                  "-s",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "--digest",
                  "-u",
                  "alice:alice-pw",
                  "-H",
                  "Content-Type: " + XcapServer.ELEMENT_TYPE,
                  "-X",
                  "PUT",
                  "--data",
                  "<entry uri=\"sip:dan@x.test\"/>",
                  entry))
          .isEqualTo("201");
      assertThat(curl(curl.toString(), "-s", "--digest", "-u", "alice:alice-pw", url))
          .contains("<list name=\"friends\">", "<entry uri=\"sip:dan@x.test\"/>");
      assertThat(
              curl(
                  curl.toString(),
                  "-s",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code}",
                  "--digest",
                  "-u",
                  "alice:wrong",
                  url))
          .isEqualTo("401");
    } finally {
      Files.deleteIfExists(doc);
    }
  }

  private static String curl(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void xcapCapsListsTheSupportedApplicationUsages() throws Exception {
    HttpResponse<String> r = alice("GET", "/xcap/xcap-caps/global/index", "");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/xcap-caps+xml");
    assertThat(r.body())
        .contains(
            "<auid>resource-lists</auid>",
            "<auid>pres-rules</auid>",
            "<auid>xcap-caps</auid>",
            "urn:ietf:params:xml:ns:resource-lists",
            "urn:ietf:params:xml:ns:pres-rules");
  }
}
