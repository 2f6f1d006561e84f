package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.pool.PoolNode;
import io.parley.tls.IssuedCertificate;
import io.parley.tls.PemFiles;
import io.parley.tls.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "trusted server" rule on the event bus that carries SIP between members: a process that
 * joined the Hazelcast cluster (its port has no TLS, hence private to the pool) but holds no
 * certificate of the pool CA cannot deliver a message to a member, while a real member can.
 */
class EventBusTrustIT {

  private static final List<Vertx> nodes = new ArrayList<>();
  private static final TestCertificates pool = TestCertificates.create("node-a", "127.0.0.1");
  private static final TestCertificates rogue = TestCertificates.create("rogue", "127.0.0.1");

  @BeforeAll
  static void start() throws Exception {
    IssuedCertificate memberB =
        pool.authority().issue("node-b", List.of("127.0.0.1"), Duration.ofDays(1));
    PemTrustOptions poolCa = new PemTrustOptions().addCertValue(Buffer.buffer(pool.caPem()));
    List<PemKeyCertOptions> identities =
        List.of(
            keyCert(pool.certificateChainPem(), pool.privateKeyPem()),
            keyCert(
                PemFiles.certificatesToPem(memberB.chain()),
                PemFiles.privateKeyToPem(memberB.privateKey())),
            // The intruder trusts the pool CA (it can see the members' certificates) but can only
            // present one of its own making.
            keyCert(rogue.certificateChainPem(), rogue.privateKeyPem()));
    List<ClusterSettings> settings = ClusterTestSupport.loopbackPool(3);
    for (int i = 0; i < 3; i++) {
      var config = PoolCluster.hazelcastConfig(settings.get(i));
      config.setProperty("hazelcast.wait.seconds.before.join", "1");
      nodes.add(
          await(
              Vertx.builder()
                  .with(
                      new VertxOptions()
                          .setEventBusOptions(
                              PoolNode.eventBusOptions(
                                  "127.0.0.1", 0, "127.0.0.1", identities.get(i), poolCa)))
                  .withClusterManager(new HazelcastClusterManager(config))
                  .buildClustered()));
    }
    nodes.get(0).eventBus().<String>consumer("parley.sip.node-a", m -> m.reply("ok " + m.body()));
  }

  private static PemKeyCertOptions keyCert(String certPem, String keyPem) {
    return new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(certPem))
        .setKeyValue(Buffer.buffer(keyPem));
  }

  @AfterAll
  static void stop() {
    for (Vertx v : nodes) {
      try {
        await(v.close());
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }

  @Test
  void aMemberWithAPoolCertificateIsHeardAndAnIntruderIsNot() {
    // The consumer's registration reaches the others asynchronously: retry the member for a while.
    String reply = null;
    for (int i = 0; i < 60 && reply == null; i++) {
      reply = tryRequest(nodes.get(1));
    }
    assertThat(reply).isEqualTo("ok INVITE");

    // Same cluster, same address, no pool certificate: the TLS handshake fails, nothing arrives.
    assertThat(tryRequest(nodes.get(2))).isNull();
    assertThat(tryRequest(nodes.get(2))).isNull();
  }

  private static String tryRequest(Vertx from) {
    try {
      return await(
              from.eventBus()
                  .<String>request(
                      "parley.sip.node-a", "INVITE", new DeliveryOptions().setSendTimeout(2000)))
          .body();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }
}
