package io.parley.e2e;

import io.parley.app.JdbcCredentialSource;
import io.parley.db.Database;
import io.parley.db.testing.TestDatabase;
import io.parley.node.SipNode;
import io.parley.node.SipNodeConfig;
import io.parley.registrar.Binding;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.routing.ProxyCore;
import io.parley.routing.ProxyIdentity;
import io.parley.routing.UserExistence;
import io.parley.sip.transaction.OverloadPolicy;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.testing.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A full node wired the way {@code StandaloneNode} wires it (SipNode + JdbcCredentialSource over a
 * real embedded PostgreSQL + InMemoryLocationStore + ProxyCore), on ephemeral UDP/TCP/TLS ports,
 * with users provisioned through {@code UserRepository}.
 */
final class E2eNode implements SipTarget, AutoCloseable {

  static final String DOMAIN = "example.test";
  static final String NODE_ID = "e2e";

  private final TestDatabase db;
  private final Vertx vertx;
  private final SipNode node;
  private final InMemoryLocationStore locations;
  final Path keyStore;
  final Path trustStore;

  private E2eNode(
      TestDatabase db,
      Vertx vertx,
      SipNode node,
      InMemoryLocationStore locations,
      Path keyStore,
      Path trustStore) {
    this.db = db;
    this.vertx = vertx;
    this.node = node;
    this.locations = locations;
    this.keyStore = keyStore;
    this.trustStore = trustStore;
  }

  /**
   * @param users user name → password, created in {@link #DOMAIN} (realm = domain)
   * @param nonceLifetime the node's Digest nonce lifetime (short, for the stale-nonce scenario)
   */
  static E2eNode start(Path dir, List<String[]> users, Duration nonceLifetime) throws Exception {
    TestDatabase db = TestDatabase.start();
    Vertx vertx = null;
    try {
      Database database = db.database();
      for (String[] u : users) {
        database.users().create(u[0], DOMAIN, null, DOMAIN, u[1]);
      }
      TestCertificates certs = TestCertificates.create("localhost");
      Path keyStore = certs.writeKeyStore(dir.resolve("e2e-keys.p12"));
      Path trustStore = certs.writeTrustStore(dir.resolve("e2e-trust.p12"));
      SipNodeConfig base = SipNodeConfig.of(List.of(DOMAIN), "127.0.0.1", 0, 0);
      SipNodeConfig config =
          base.withNodeId(NODE_ID)
              .withTransport(
                  base.transport()
                      .withTlsPort(0)
                      .withAdvertisedHost("127.0.0.1")
                      .withTls(certs.keyCertOptions(), null))
              .withNonceLifetime(nonceLifetime)
              // The error scenarios fail on purpose; the lockout has its own tests.
              .withMaxAuthFailures(10_000)
              .withTransactions(withoutLagProbe());
      Vertx vx = Vertx.vertx();
      vertx = vx;
      InMemoryLocationStore locations = new InMemoryLocationStore();
      UserExistence existence =
          aor -> vx.executeBlocking(() -> database.users().findBySipUri(aor).isPresent(), false);
      SipNode node =
          new SipNode(
              vx,
              config,
              new JdbcCredentialSource(vx, database.credentials()),
              "e2e-digest-key-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8),
              locations,
              services ->
                  new ProxyCore(
                      services.transactions(),
                      services.transport(),
                      new VertxSipTimers(services.vertx(), services.context()),
                      services.locations(),
                      Set.of(DOMAIN),
                      new ProxyIdentity(NODE_ID, Set.of("localhost", "127.0.0.1")),
                      existence));
      await(node.start());
      return new E2eNode(db, vx, node, locations, keyStore, trustStore);
    } catch (Exception | Error e) {
      if (vertx != null) {
        vertx.close();
      }
      db.close();
      throw e;
    }
  }

  /** Shared CI machines lag; the lag probe would shed test traffic with 503 (it has own tests). */
  private static TransactionOptions withoutLagProbe() {
    TransactionOptions tx = TransactionOptions.defaults();
    return tx.withOverload(
        new OverloadPolicy(
            tx.overload().highWatermark(),
            tx.overload().lowWatermark(),
            Duration.ZERO,
            tx.overload().retryAfterSeconds()));
  }

  @Override
  public Path keyStore() {
    return keyStore;
  }

  @Override
  public Path trustStore() {
    return trustStore;
  }

  @Override
  public int port(String transport) {
    return switch (transport) {
      case "udp" -> node.actualUdpPort();
      case "tcp" -> node.actualTcpPort();
      case "tls" -> node.actualTlsPort();
      default -> throw new IllegalArgumentException(transport);
    };
  }

  /** The unexpired bindings of {@code user@example.test}. */
  List<Binding> bindings(String user) throws Exception {
    return await(locations.lookup("sip:" + user + "@" + DOMAIN));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    try {
      await(node.stop());
      await(vertx.close());
    } finally {
      db.close();
    }
  }
}
