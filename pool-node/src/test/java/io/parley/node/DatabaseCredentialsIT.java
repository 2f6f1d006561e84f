package io.parley.node;

import static io.parley.testing.ClientDigest.authorization;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.app.JdbcCredentialSource;
import io.parley.db.testing.TestDatabase;
import io.parley.registrar.InMemoryLocationStore;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Digest REGISTER against users provisioned in the real (embedded) PostgreSQL. */
@Timeout(120)
class DatabaseCredentialsIT {

  private static TestDatabase db;
  private static Vertx vertx;
  private static SipNode node;
  private static InMemoryLocationStore store;

  @BeforeAll
  static void start() throws Exception {
    db = TestDatabase.start();
    db.database().users().create("dave", "example.test", "Dave", "example.test", "dave-pw");
    var erin =
        db.database().users().create("erin", "example.test", null, "example.test", "erin-pw");
    db.database().users().setEnabled(erin.id(), false);
    vertx = Vertx.vertx();
    store = new InMemoryLocationStore();
    SipNodeConfig config =
        SipNodeConfig.of(List.of("example.test"), "127.0.0.1", 0, -1)
            .withTransactions(SipNodeIT.withoutLagProbe());
    node =
        new SipNode(
            vertx,
            config,
            new JdbcCredentialSource(vertx, db.database().credentials()),
            "db-it-digest-key-0123456789".getBytes(StandardCharsets.UTF_8),
            store,
            s -> NodeTestSupport.stubRouter());
    node.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  private static String sha(Response r) {
    String v = r.getHeader(WWWAuthenticateHeader.NAME).toString();
    return v.substring(v.indexOf(':') + 1).strip();
  }

  @Test
  void provisionedUserRegistersAndDisabledUserIsForbidden() throws Exception {
    try (JainRegisterClient c = new JainRegisterClient("udp", null, null)) {
      int p = node.actualUdpPort();
      Response ch = c.register(p, "dave", "d1", 1, -1, "dave", null);
      assertThat(ch.getStatusCode()).isEqualTo(401);
      Response ok =
          c.register(
              p,
              "dave",
              "d1",
              2,
              -1,
              "dave",
              authorization(
                  sha(ch), "dave", "dave-pw", "REGISTER", "sip:example.test", "00000001"));
      assertThat(ok.getStatusCode()).isEqualTo(200);
      assertThat(store.lookup("sip:dave@example.test").result()).hasSize(1);

      Response ch2 = c.register(p, "erin", "e1", 1, -1, "erin", null);
      Response disabled =
          c.register(
              p,
              "erin",
              "e1",
              2,
              -1,
              "erin",
              authorization(
                  sha(ch2), "erin", "erin-pw", "REGISTER", "sip:example.test", "00000001"));
      assertThat(disabled.getStatusCode()).isEqualTo(403);
      assertThat(store.lookup("sip:erin@example.test").result()).isEmpty();
    }
  }
}
