package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.app.JdbcCredentialSource;
import io.parley.db.Database;
import io.parley.db.presence.PresenceAction;
import io.parley.db.presence.PresenceRuleRepository;
import io.parley.db.testing.TestDatabase;
import io.parley.node.SipNode;
import io.parley.node.SipNodeConfig;
import io.parley.presence.RlmiTest.Part;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.routing.ProxyCore;
import io.parley.routing.ProxyIdentity;
import io.parley.sip.transaction.VertxSipTimers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Resource list subscriptions (RFC 4662) through a full node with JAIN-SIP RI user agents over TCP:
 * one SUBSCRIBE to a list, full state first, then partial batched NOTIFYs with only the changed
 * members; the error answers.
 */
@Timeout(30)
class ResourceListIT {

  private static final String DOMAIN = PresenceUa.DOMAIN;
  private static final String[] USERS = {"lara", "mia", "nick", "olga", "paul"};
  private static final String LIST = "sip:lara@" + DOMAIN + ";list=buddies";
  private static final String[] EVENTLIST = {
    "Supported", "eventlist",
    "Accept", "multipart/related",
    "Accept", "application/rlmi+xml",
    "Accept", "application/pidf+xml"
  };

  private static TestDatabase db;
  private static Vertx vertx;
  private static SipNode node;
  private static DatabasePresenceRules rules;
  private static InMemoryPresenceEvents events;
  private static InMemoryResourceLists lists;
  private final List<PresenceUa> uas = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.start();
    Database database = db.database();
    for (String u : USERS) {
      database.users().create(u, DOMAIN, null, DOMAIN, u + "-secret");
    }
    vertx = Vertx.vertx();
    events = new InMemoryPresenceEvents();
    rules =
        new DatabasePresenceRules(
            vertx, new PresenceRuleRepository(db.dsl()), database.users(), events, true);
    lists = new InMemoryResourceLists();
    lists.put(
        LIST,
        List.of(
            "sip:mia@" + DOMAIN,
            "sip:Nick@" + DOMAIN,
            "sip:olga@" + DOMAIN,
            "sip:ghost@" + DOMAIN));
    node =
        new SipNode(
                vertx,
                SipNodeConfig.of(List.of(DOMAIN), "127.0.0.1", 0, 0).withNodeId("r1"),
                new JdbcCredentialSource(vertx, database.credentials()),
                "rls-it-digest-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                new PresenceLocationStore(new InMemoryLocationStore(), events),
                services ->
                    new ProxyCore(
                        services.transactions(),
                        services.transport(),
                        new VertxSipTimers(services.vertx(), services.context()),
                        services.locations(),
                        Set.of(DOMAIN),
                        new ProxyIdentity("r1", Set.of("localhost", "127.0.0.1")),
                        aor -> Future.succeededFuture(true)))
            .withLocalService(
                Presence.agent(
                    PresenceConfig.defaults()
                        .withMinimums(Duration.ofSeconds(1), Duration.ofMillis(200)),
                    new InMemoryPresenceDocuments(),
                    events,
                    new InMemoryWatcherDirectory(),
                    rules,
                    lists));
    await(node.start());
  }

  @AfterAll
  static void stop() throws Exception {
    PresenceUa.awaitStopped();
    try {
      if (node != null) {
        await(node.stop());
      }
      if (vertx != null) {
        await(vertx.close());
      }
    } finally {
      if (db != null) {
        db.close();
      }
    }
  }

  @AfterEach
  void closeUas() {
    uas.forEach(PresenceUa::close);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private PresenceUa ua(String user) throws Exception {
    PresenceUa ua = new PresenceUa(user, user + "-secret", node.actualTcpPort());
    uas.add(ua);
    assertThat(ua.register()).isEqualTo(200);
    return ua;
  }

  private static String pidf(String user, String note) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf"
            xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:%s@%s">
          <tuple id="pc"><status><basic>open</basic></status></tuple>
          <dm:person id="p"><dm:note>%s</dm:note></dm:person>
        </presence>
        """
        .formatted(user, DOMAIN, note);
  }

  /** A list NOTIFY as the watcher reads it: RLMI attributes, instances, PIDF per member. */
  record ListNotify(
      long version,
      boolean fullState,
      Map<String, String> states,
      Map<String, String> documents,
      Map<String, String> instances) {}

  static ListNotify read(Request notify) {
    try {
      List<Part> parts =
          RlmiTest.parts(
              PresenceUa.header(notify, "Content-Type"),
              notify.getRawContent() == null ? new byte[0] : notify.getRawContent());
      Element list = RlmiTest.xml(parts.get(0).body()).getDocumentElement();
      Map<String, String> states = new LinkedHashMap<>();
      Map<String, String> docs = new LinkedHashMap<>();
      Map<String, String> instances = new LinkedHashMap<>();
      NodeList resources = list.getElementsByTagNameNS(Rlmi.NS, "resource");
      for (int i = 0; i < resources.getLength(); i++) {
        Element r = (Element) resources.item(i);
        Element instance = (Element) r.getElementsByTagNameNS(Rlmi.NS, "instance").item(0);
        String uri = r.getAttribute("uri");
        states.put(uri, instance.getAttribute("state"));
        instances.put(uri, instance.getAttribute("id"));
        if (instance.hasAttribute("cid")) {
          String cid = "<" + instance.getAttribute("cid") + ">";
          docs.put(
              uri,
              parts.stream()
                  .filter(p -> cid.equals(p.headers().get("content-id")))
                  .findFirst()
                  .orElseThrow()
                  .body());
        }
      }
      return new ListNotify(
          Long.parseLong(list.getAttribute("version")),
          Boolean.parseBoolean(list.getAttribute("fullState")),
          states,
          docs,
          instances);
    } catch (Exception e) {
      throw new AssertionError("unreadable list NOTIFY:\n" + notify, e);
    }
  }

  private static String aor(String user) {
    return "sip:" + user + "@" + DOMAIN;
  }

  @Test
  void aListSubscriptionGetsFullStateThenOnlyTheChangedMembersBatched() throws Exception {
    await(rules.setRule(aor("olga"), aor("lara"), PresenceAction.PENDING));
    PresenceUa olga = ua("olga");
    Response olgaWinfoOk = olga.subscribe(aor("olga"), "presence.winfo", 600);
    assertThat(olgaWinfoOk.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog olgaWinfo = PresenceUa.dialogOf(olgaWinfoOk);
    PresenceUa mia = ua("mia");
    PresenceUa nick = ua("nick");
    PresenceUa lara = ua("lara");
    Response miaPublished = mia.publish(pidf("mia", "mia at her desk"), null, 600, "presence");
    assertThat(miaPublished.getStatusCode()).isEqualTo(200);

    Response ok = lara.subscribe(LIST, "presence", 600, EVENTLIST);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    assertThat(PresenceUa.header(ok, "Require")).isEqualTo("eventlist");
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);

    Request first = lara.awaitNotify(d, n -> true);
    assertThat(PresenceUa.header(first, "Require")).isEqualTo("eventlist");
    assertThat(PresenceUa.header(first, "Event")).isEqualTo("presence");
    assertThat(PresenceUa.header(first, "Subscription-State")).startsWith("active;expires=");
    assertThat(PresenceUa.header(first, "Content-Type"))
        .startsWith("multipart/related")
        .contains("application/rlmi+xml");
    ListNotify full = read(first);
    assertThat(full.fullState()).isTrue();
    assertThat(full.version()).isZero();
    assertThat(full.states())
        .containsExactly(
            Map.entry(aor("mia"), "active"),
            Map.entry(aor("nick"), "active"),
            Map.entry(aor("olga"), "pending"),
            Map.entry(aor("ghost"), "terminated"));
    assertThat(full.documents()).containsOnlyKeys(aor("mia"), aor("nick"));
    // The pending member learns of the list's watcher from its watcher info (RFC 4662 §4.1).
    olga.awaitNotify(
        olgaWinfo,
        n ->
            PresenceUa.body(n).contains("status=\"pending\"")
                && PresenceUa.body(n).contains(">" + aor("lara") + "<"));
    assertThat(full.documents().get(aor("mia"))).contains("mia at her desk");
    // nick never published: his registration shows him online.
    assertThat(full.documents().get(aor("nick"))).contains("<basic>open</basic>");

    // One member publishes: a partial NOTIFY with that member only.
    Response nickPublished = nick.publish(pidf("nick", "nick in a call"), null, 600, "presence");
    assertThat(nickPublished.getStatusCode()).isEqualTo(200);
    Request partial = lara.awaitNotify(d, n -> PresenceUa.body(n).contains("nick in a call"));
    ListNotify change = read(partial);
    assertThat(change.fullState()).isFalse();
    assertThat(change.version()).isEqualTo(1);
    assertThat(change.states()).containsOnlyKeys(aor("nick"));
    assertThat(change.documents().get(aor("nick"))).contains("nick in a call");

    // Two members change right after each other: one NOTIFY carries both.
    mia.publish(
        pidf("mia", "mia at lunch"), PresenceUa.header(miaPublished, "SIP-ETag"), 600, "presence");
    nick.publish(
        pidf("nick", "nick back"), PresenceUa.header(nickPublished, "SIP-ETag"), 600, "presence");
    Request batched =
        lara.awaitNotify(
            d,
            n ->
                PresenceUa.body(n).contains("mia at lunch")
                    && PresenceUa.body(n).contains("nick back"));
    ListNotify both = read(batched);
    assertThat(both.fullState()).isFalse();
    assertThat(both.states()).containsOnlyKeys(aor("mia"), aor("nick"));

    // The presentity decides: olga's instance turns active, alone.
    await(rules.setRule(aor("olga"), aor("lara"), PresenceAction.ALLOW));
    Request approved = lara.awaitNotify(d, n -> "active".equals(read(n).states().get(aor("olga"))));
    assertThat(read(approved).states()).containsOnlyKeys(aor("olga"));
    assertThat(read(approved).documents().get(aor("olga"))).contains("<basic>open</basic>");
    olga.awaitNotify(
        olgaWinfo,
        n ->
            PresenceUa.body(n).contains("status=\"active\" event=\"approved\"")
                && PresenceUa.body(n).contains(">" + aor("lara") + "<"));

    // A refresh brings the full state again.
    assertThat(lara.resubscribe(d, "presence", 600).getStatusCode()).isEqualTo(200);
    Request refreshed = lara.awaitNotify(d, n -> read(n).fullState() && read(n).version() > 0);
    assertThat(read(refreshed).states()).hasSize(4);

    // Versions count up by one per NOTIFY, in CSeq order.
    List<Long> versions =
        lara.notifiesIn(d).stream()
            .sorted(
                java.util.Comparator.comparingLong(
                    n -> ((javax.sip.header.CSeqHeader) n.getHeader("CSeq")).getSeqNumber()))
            .map(n -> read(n).version())
            .toList();
    for (int i = 0; i < versions.size(); i++) {
      assertThat(versions.get(i)).isEqualTo((long) i);
    }

    // Unsubscribe: a final NOTIFY, terminated.
    assertThat(lara.resubscribe(d, "presence", 0).getStatusCode()).isEqualTo(200);
    Request last =
        lara.awaitNotify(
            d, n -> PresenceUa.header(n, "Subscription-State").startsWith("terminated"));
    assertThat(PresenceUa.header(last, "Subscription-State"))
        .isEqualTo("terminated;reason=timeout");
  }

  @Test
  void aListNeedsEventlistSupportAndBelongsToItsOwner() throws Exception {
    PresenceUa lara = ua("lara");
    PresenceUa paul = ua("paul");

    Response noSupport = lara.subscribe(LIST, "presence", 600);
    assertThat(noSupport.getStatusCode()).isEqualTo(421);
    assertThat(PresenceUa.header(noSupport, "Require")).isEqualTo("eventlist");

    assertThat(paul.subscribe(LIST, "presence", 600, EVENTLIST).getStatusCode()).isEqualTo(403);
    assertThat(
            lara.subscribe("sip:lara@" + DOMAIN + ";list=nope", "presence", 600, EVENTLIST)
                .getStatusCode())
        .isEqualTo(404);
    // Without a list parameter, Supported: eventlist changes nothing: a plain subscription.
    Response plain = lara.subscribe(aor("paul"), "presence", 600, EVENTLIST);
    assertThat(plain.getStatusCode()).isEqualTo(200);
    Request n = lara.awaitNotify(PresenceUa.dialogOf(plain), x -> true);
    assertThat(PresenceUa.header(n, "Content-Type")).isEqualTo("application/pidf+xml");
  }

  @Test
  void anEditedListChangesAnActiveSubscriptionWithoutResubscribing() throws Exception {
    String live = "sip:paul@" + DOMAIN + ";list=live";
    lists.put(live, List.of(aor("mia")));
    PresenceUa paul = ua("paul");
    PresenceUa mia = ua("mia");
    PresenceUa nick = ua("nick");
    Response ok = paul.subscribe(live, "presence", 600, EVENTLIST);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    PresenceUa.Dialog d = PresenceUa.dialogOf(ok);
    ListNotify first = read(paul.awaitNotify(d, n -> true));
    assertThat(first.states()).containsOnlyKeys(aor("mia"));

    // nick is added: the whole list again, nick included, mia keeping her instance id.
    lists.put(live, List.of(aor("mia"), aor("nick")));
    events.publish(new PresenceEvent.ListsChanged(aor("paul")));
    ListNotify added = read(paul.awaitNotify(d, n -> read(n).states().containsKey(aor("nick"))));
    assertThat(added.fullState()).isTrue();
    assertThat(added.version()).isEqualTo(1);
    assertThat(added.states())
        .containsExactly(Map.entry(aor("mia"), "active"), Map.entry(aor("nick"), "active"));
    assertThat(added.instances().get(aor("mia"))).isEqualTo(first.instances().get(aor("mia")));
    // ...and nick's changes are now watched.
    assertThat(nick.publish(pidf("nick", "nick now listed"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    ListNotify nickChange =
        read(paul.awaitNotify(d, n -> PresenceUa.body(n).contains("nick now listed")));
    assertThat(nickChange.fullState()).isFalse();
    assertThat(nickChange.states()).containsOnlyKeys(aor("nick"));

    // mia is removed: full state without her, and her changes no longer notify.
    lists.put(live, List.of(aor("nick")));
    events.publish(new PresenceEvent.ListsChanged(aor("paul")));
    ListNotify removed =
        read(
            paul.awaitNotify(
                d, n -> read(n).fullState() && !read(n).states().containsKey(aor("mia"))));
    assertThat(removed.states()).containsOnlyKeys(aor("nick"));
    assertThat(mia.publish(pidf("mia", "mia unlisted"), null, 600, "presence").getStatusCode())
        .isEqualTo(200);
    Response nickAgain = nick.publish(pidf("nick", "nick still listed"), null, 600, "presence");
    assertThat(nickAgain.getStatusCode()).isEqualTo(200);
    paul.awaitNotify(d, n -> PresenceUa.body(n).contains("nick still listed"));
    assertThat(paul.notifiesIn(d)).noneMatch(n -> PresenceUa.body(n).contains("mia unlisted"));

    // An edit of another user's lists, or one that leaves this list as it was: no NOTIFY.
    int before = paul.notifiesIn(d).size();
    events.publish(new PresenceEvent.ListsChanged(aor("lara")));
    events.publish(new PresenceEvent.ListsChanged(aor("paul")));
    Response nickLast = nick.publish(pidf("nick", "nick last"), null, 600, "presence");
    assertThat(nickLast.getStatusCode()).isEqualTo(200);
    paul.awaitNotify(d, n -> PresenceUa.body(n).contains("nick last"));
    assertThat(paul.notifiesIn(d)).hasSize(before + 1);

    // The list is deleted: the subscription ends.
    lists.remove(live);
    events.publish(new PresenceEvent.ListsChanged(aor("paul")));
    Request last =
        paul.awaitNotify(
            d, n -> PresenceUa.header(n, "Subscription-State").startsWith("terminated"));
    assertThat(PresenceUa.header(last, "Subscription-State"))
        .isEqualTo("terminated;reason=noresource");
  }
}
