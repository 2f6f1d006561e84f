package io.parley.pool;

import io.parley.app.JdbcCredentialSource;
import io.parley.auth.DigestAlgorithm;
import io.parley.cluster.CachingCredentialSource;
import io.parley.cluster.ClusterSettings;
import io.parley.cluster.EventBusPresenceEvents;
import io.parley.cluster.HazelcastLocationStore;
import io.parley.cluster.HazelcastPresenceDocuments;
import io.parley.cluster.HazelcastWatcherDirectory;
import io.parley.cluster.NodeLossCleanup;
import io.parley.cluster.PoolCluster;
import io.parley.cluster.PoolMembership;
import io.parley.cluster.SingletonJobs;
import io.parley.config.NodeConfig;
import io.parley.db.Database;
import io.parley.node.SipNode;
import io.parley.node.SipNodeConfig;
import io.parley.ops.AdminServer;
import io.parley.ops.NodeMetrics;
import io.parley.ops.ReadinessState;
import io.parley.presence.DatabasePresenceRules;
import io.parley.presence.Presence;
import io.parley.presence.PresenceConfig;
import io.parley.presence.PresenceEvent;
import io.parley.presence.PresenceLocationStore;
import io.parley.routing.ProxyCore;
import io.parley.routing.ProxyIdentity;
import io.parley.routing.UserExistence;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.sip.transport.CloseReason;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.SipTransportOptions;
import io.parley.xcap.StoredResourceLists;
import io.parley.xcap.XcapServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of a pool member: a clustered Vert.x over Hazelcast (event bus on mutual TLS
 * with the pool's certificates), registrations in Hazelcast, the SIP node with the links to the
 * other members, the pool-wide jobs, and draining. A standalone node is this with a pool of one.
 *
 * <p>Blocking methods ({@link #start}, {@link #drain}, {@link #stop}) are for the CLI's thread.
 */
public final class PoolNode {

  private static final Logger log = LoggerFactory.getLogger(PoolNode.class);
  private static final String DIGEST_KEY_SETTING = "digest.nonce-key";
  private static final String FLOW_TOKEN_KEY_SETTING = "routing.flow-token-key";
  private static final Duration CREDENTIAL_CACHE_TTL = Duration.ofDays(7);
  private static final Duration EXPIRY_SWEEP = Duration.ofSeconds(30);
  private static final Duration ORPHAN_SWEEP = Duration.ofSeconds(60);
  private static final Duration EVENT_BUS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(60);

  private final NodeConfig config;
  private final Vertx vertx;
  private final SipNode sip;
  private final PoolLink link;
  private final PoolMembership membership;
  private final HazelcastLocationStore locations;
  private final SingletonJobs jobs;
  private final ReadinessState readiness;
  private final NodeMetrics metrics;
  private @Nullable AdminServer admin;
  private @Nullable XcapServer xcap;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private PoolNode(
      NodeConfig config,
      Vertx vertx,
      SipNode sip,
      PoolLink link,
      PoolMembership membership,
      HazelcastLocationStore locations,
      SingletonJobs jobs,
      ReadinessState readiness,
      NodeMetrics metrics) {
    this.readiness = readiness;
    this.metrics = metrics;
    this.config = config;
    this.vertx = vertx;
    this.sip = sip;
    this.link = link;
    this.membership = membership;
    this.locations = locations;
    this.jobs = jobs;
  }

  /**
   * Joins (or forms) the pool and starts serving SIP. Blocks until the listeners are bound.
   *
   * @param db the pool's database, already opened (and migrated) by the caller
   */
  public static PoolNode start(NodeConfig config, Database db) throws Exception {
    Clock clock = Clock.systemUTC();
    PoolTls.ensure(config, db, clock);
    byte[] digestKey = db.settings().getOrCreateSecret(DIGEST_KEY_SETTING, 32);
    byte[] flowTokenKey = db.settings().getOrCreateSecret(FLOW_TOKEN_KEY_SETTING, 32);
    NodeConfig.Pool pool = config.pool();
    NodeConfig.Tls tls = config.tls();
    PemKeyCertOptions keyCert = PoolTls.keyCertOptions(tls);
    PemTrustOptions trust = new PemTrustOptions().addCertPath(tls.caCertificate().toString());

    HazelcastClusterManager cluster =
        new HazelcastClusterManager(
            PoolCluster.hazelcastConfig(
                new ClusterSettings(
                    pool.name(),
                    pool.nodeId(),
                    pool.bindHost(),
                    pool.advertisedHost(),
                    pool.port(),
                    pool.members(),
                    pool.kubernetesServiceDns(),
                    pool.minMembers())));
    // The "trusted server" rule of the original product: only a member presenting a certificate
    // of the pool CA can open an event-bus connection, in either direction.
    EventBusOptions bus =
        eventBusOptions(
            pool.bindHost(), pool.eventBusPort(), pool.advertisedHost(), keyCert, trust);
    log.info(
        "joining pool '{}' as {} (Hazelcast {}:{}, members {})",
        pool.name(),
        pool.nodeId(),
        pool.advertisedHost(),
        pool.port(),
        pool.kubernetesServiceDns() != null
            ? "from DNS " + pool.kubernetesServiceDns()
            : pool.members().isEmpty() ? "none (first or only member)" : pool.members());
    Vertx vertx =
        await(
            Vertx.builder()
                .with(
                    new VertxOptions()
                        .setEventBusOptions(bus)
                        // epoll where it loads (else NIO): less work per socket read and write,
                        // most of what a NOTIFY fan-out costs (docs/performance.md, session 5).
                        .setPreferNativeTransport(true))
                .withClusterManager(cluster)
                .buildClustered(),
            Duration.ofSeconds(120));
    if (vertx.isNativeTransportEnabled()) {
      log.info("network I/O: native epoll transport");
    } else {
      Throwable why = vertx.unavailableNativeTransportCause();
      log.info(
          "network I/O: Java NIO (native transport unavailable: {})",
          why == null ? "not found" : why.toString());
    }
    try {
      return assemble(config, db, vertx, cluster, keyCert, trust, digestKey, flowTokenKey, clock);
    } catch (Exception | Error e) {
      await(vertx.close(), Duration.ofSeconds(30));
      throw e;
    }
  }

  /**
   * The clustered event bus of a member: mutual TLS, and only certificates of the pool CA ({@code
   * trust}) are accepted, whichever side opens the connection.
   */
  public static EventBusOptions eventBusOptions(
      String bindHost,
      int port,
      String advertisedHost,
      KeyCertOptions keyCert,
      TrustOptions trust) {
    return new EventBusOptions()
        .setHost(bindHost)
        .setPort(Math.max(0, port))
        .setClusterPublicHost(advertisedHost)
        .setSsl(true)
        .setKeyCertOptions(keyCert)
        .setTrustOptions(trust)
        .setClientAuth(ClientAuth.REQUIRED)
        // Vert.x fails the messages queued on a connection whose handshake times out. The 10 s
        // default timed out between members starved of CPU (five cold members on 2 cores, load
        // 40), dropping presence events; a member that is merely slow should still get them.
        .setSslHandshakeTimeout(EVENT_BUS_HANDSHAKE_TIMEOUT.toSeconds())
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
  }

  private static PoolNode assemble(
      NodeConfig config,
      Database db,
      Vertx vertx,
      HazelcastClusterManager cluster,
      PemKeyCertOptions keyCert,
      PemTrustOptions trust,
      byte[] digestKey,
      byte[] flowTokenKey,
      Clock clock)
      throws Exception {
    var hz = cluster.getHazelcastInstance();
    String nodeId = config.pool().nodeId();
    PoolMembership membership = new PoolMembership(hz);
    HazelcastLocationStore locations = new HazelcastLocationStore(hz, nodeId, clock);
    NodeLossCleanup cleanup = new NodeLossCleanup(membership, locations);
    // Bindings a previous incarnation of this node left behind point at dead connections.
    int stale = await(cleanup.started(), Duration.ofSeconds(30));
    if (stale > 0) {
      log.info("removed {} binding(s) left by this node's previous run", stale);
    }

    NodeConfig.Sip s = config.sip();
    SipTransportOptions transport =
        SipTransportOptions.defaults()
            .withHost(s.host())
            .withUdpPort(s.udpPort())
            .withTcpPort(s.tcpPort())
            .withTlsPort(s.tlsPort())
            .withAdvertisedHost(s.advertisedHost())
            .withMaxConnections(s.maxConnections())
            .withMaxConnectionsPerAddress(s.maxConnectionsPerAddress());
    if (s.tlsPort() >= 0) {
      transport = transport.withTls(keyCert, trust);
    }
    SipNodeConfig nodeConfig =
        SipNodeConfig.of(s.domains(), s.host(), s.udpPort(), s.tcpPort())
            .withNodeId(nodeId)
            .withTransport(transport)
            .withPurgeInterval(Duration.ZERO);
    Set<String> aliases =
        new LinkedHashSet<>(List.of("localhost", "127.0.0.1", s.advertisedHost()));
    if (!s.host().equals("0.0.0.0") && !s.host().equals("::")) {
      aliases.add(s.host());
    }
    UserExistence users =
        aor -> vertx.executeBlocking(() -> db.users().findBySipUri(aor).isPresent(), false);
    // Presence: publications and watcher lists pool-wide in Hazelcast, changes fanned out over
    // the event bus; each member notifies the watchers connected to it.
    EventBusPresenceEvents presenceEvents = new EventBusPresenceEvents(vertx);
    HazelcastPresenceDocuments documents = new HazelcastPresenceDocuments(hz, nodeId);
    HazelcastWatcherDirectory watchers = new HazelcastWatcherDirectory(hz);
    PresenceLocationStore presenceLocations = new PresenceLocationStore(locations, presenceEvents);
    locations.onBindingsDropped(
        aors -> aors.forEach(a -> presenceEvents.publish(new PresenceEvent.ViewChanged(a))));
    membership.onNodeLeft(
        left -> {
          if (!membership.isOldest()) {
            return; // the oldest survivor cleans up, once
          }
          Instant now = Instant.now(clock);
          documents
              .removeNode(left, now)
              .onSuccess(
                  ps -> ps.forEach(p -> presenceEvents.publish(new PresenceEvent.ViewChanged(p))));
          watchers
              .removeNode(left, now)
              .onSuccess(
                  ps ->
                      ps.forEach(
                          p -> presenceEvents.publish(new PresenceEvent.WatchersChanged(p))));
        });
    CachingCredentialSource credentials =
        new CachingCredentialSource(
            new JdbcCredentialSource(vertx, db.credentials()), hz, CREDENTIAL_CACHE_TTL);
    PoolLink[] linkHolder = new PoolLink[1];
    SipNode sip =
        new SipNode(
            vertx,
            nodeConfig,
            credentials,
            digestKey,
            presenceLocations,
            services ->
                new ProxyCore(
                    services.transactions(),
                    services.transport(),
                    new VertxSipTimers(services.vertx(), services.context()),
                    services.locations(),
                    Set.copyOf(s.domains()),
                    new ProxyIdentity(nodeId, aliases),
                    users,
                    flowTokenKey),
            layer -> {
              PoolLink link = new PoolLink(vertx, layer, nodeId, membership::liveNodeIds);
              linkHolder[0] = link;
              return link;
            });
    sip.withDigestAlgorithms(
        s.digestAlgorithms().stream()
            .map(a -> DigestAlgorithm.fromToken(a).orElseThrow())
            .toList());
    sip.withLocalService(
        Presence.agent(
            PresenceConfig.defaults(),
            documents,
            presenceEvents,
            watchers,
            new DatabasePresenceRules(vertx, db.presenceRules(), db.users(), presenceEvents, true),
            new StoredResourceLists(vertx, db.contactLists())));
    await(sip.start(), Duration.ofSeconds(30));
    PoolLink link = linkHolder[0];
    await(link.start(), Duration.ofSeconds(30));
    membership.onNodeLeft(
        left -> {
          log.info("pool member {} left", left);
          link.memberLeft(left);
        });
    membership.onNodeJoined(joined -> log.info("pool member {} joined", joined));
    SingletonJobs jobs = new SingletonJobs(vertx, membership);
    jobs.schedule("binding-expiry", EXPIRY_SWEEP, () -> locations.purgeExpired(Instant.now(clock)));
    jobs.schedule("orphan-bindings", ORPHAN_SWEEP, cleanup::sweepOrphans);
    log.info(
        "pool member {} serving: {} member(s) in pool '{}'",
        nodeId,
        membership.liveNodeIds().size(),
        config.pool().name());
    ReadinessState readiness = new ReadinessState();
    NodeMetrics metrics = new NodeMetrics(nodeId);
    metrics
        .connections("tcp-tls", () -> sip.transport().openCount())
        .transactionsActive(
            () -> sip.transactions() == null ? 0 : sip.transactions().transactionsInFlight())
        .registeredBindings(locations::locallyTrackedAors)
        .poolMembers(() -> membership.liveNodeIds().size());
    PoolNode node =
        new PoolNode(config, vertx, sip, link, membership, locations, jobs, readiness, metrics);
    NodeConfig.Admin a = config.admin();
    if (a.port() >= 0) {
      AdminServer server =
          new AdminServer(
              vertx,
              a.host(),
              a.port(),
              readiness,
              metrics.registry(),
              () -> {
                // Draining blocks (it paces the closing of connections): not on the event loop.
                Thread.ofVirtual().name("parley-drain").start(node::drain);
                return Future.fromCompletionStage(node.drained);
              });
      await(server.start(), Duration.ofSeconds(10));
      node.admin = server;
      log.info("admin HTTP on {}:{} (health, metrics, drain)", a.host(), server.actualPort());
    }
    NodeConfig.Xcap x = config.xcap();
    if (x.port() >= 0) {
      XcapServer xcap =
          new XcapServer(
              vertx,
              x.host(),
              x.port(),
              keyCert,
              Set.copyOf(s.domains()),
              digestKey,
              credentials,
              db.contactLists(),
              db.presenceRuleSets(),
              (presentity, watcher) ->
                  presenceEvents.publish(new PresenceEvent.RulesChanged(presentity, watcher)),
              owner -> presenceEvents.publish(new PresenceEvent.ListsChanged(owner)));
      await(xcap.start(), Duration.ofSeconds(10));
      node.xcap = xcap;
      log.info(
          "XCAP on https://{}:{}/xcap (contact lists, presence rules)",
          x.host(),
          xcap.actualPort());
    }
    readiness.markReady();
    return node;
  }

  /** Completes when the node has stopped (after a drain, or {@link #stop()}). */
  public CompletableFuture<Void> terminated() {
    return terminated;
  }

  /** The node's meters (Prometheus registry). */
  public NodeMetrics metrics() {
    return metrics;
  }

  public NodeConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public SipNode sip() {
    return sip;
  }

  /** The bound XCAP port, or -1 when XCAP is off. */
  public int xcapPort() {
    XcapServer x = xcap;
    return x == null ? -1 : x.actualPort();
  }

  public PoolMembership membership() {
    return membership;
  }

  /** True once the node is up and not draining: what the load balancer's health check asks. */
  public boolean ready() {
    return readiness.ready() && !stopped.get();
  }

  public boolean draining() {
    return draining.get();
  }

  /** Human-readable SIP listener URIs with the actual ports. */
  public List<String> listeners() {
    List<String> out = new ArrayList<>();
    String host = config.sip().host();
    String h = host.contains(":") ? "[" + host + "]" : host;
    if (sip.actualUdpPort() >= 0) {
      out.add("sip:" + h + ":" + sip.actualUdpPort() + ";transport=udp");
    }
    if (sip.actualTcpPort() >= 0) {
      out.add("sip:" + h + ":" + sip.actualTcpPort() + ";transport=tcp");
    }
    if (sip.actualTlsPort() >= 0) {
      out.add("sips:" + h + ":" + sip.actualTlsPort() + ";transport=tls");
    }
    return out;
  }

  /**
   * Leaves the pool gracefully: reports not-ready (the load balancer stops sending new clients),
   * lets transactions in flight finish, then closes the clients' connections spread over the grace
   * period (so they reconnect through the load balancer to other members and re-register there
   * without a thundering herd), drops this member's remaining bindings and leaves the cluster.
   * Blocking; idempotent.
   */
  public void drain() {
    if (!draining.compareAndSet(false, true)) {
      drained.join(); // a second caller (SIGTERM during an admin drain) waits for the first
      return;
    }
    readiness.markDraining();
    try {
      drainNow();
    } finally {
      drained.complete(null);
    }
  }

  private void drainNow() {
    Duration grace = config.drain().gracePeriod();
    long deadline = System.nanoTime() + grace.toNanos();
    log.info("draining: grace period {} s", grace.toSeconds());
    TransactionLayer tl = sip.transactions();
    // Half of the grace period for transactions in flight, the rest to move the clients.
    long txDeadline = System.nanoTime() + grace.toNanos() / 2;
    while (tl != null && inFlight(tl) > 0 && System.nanoTime() < txDeadline) {
      sleep(200);
    }
    List<Flow> flows = new ArrayList<>(sip.transport().openFlows());
    log.info("draining: closing {} client connection(s)", flows.size());
    long remaining = Math.max(0, deadline - System.nanoTime());
    long pause = flows.isEmpty() ? 0 : Math.min(remaining / flows.size(), 1_000_000_000L);
    for (Flow f : flows) {
      sip.transport().context().runOnContext(v -> sip.transport().close(f, CloseReason.SHUTDOWN));
      if (pause > 0) {
        sleepNanos(pause);
      }
    }
    try {
      await(locations.removeNode(config.pool().nodeId()), Duration.ofSeconds(10));
    } catch (Exception e) {
      log.warn("draining: could not remove this member's bindings: {}", e.toString());
    }
    log.info("draining: done");
    stop();
  }

  private int inFlight(TransactionLayer tl) {
    Promise<Integer> n = Promise.promise();
    sip.transport().context().runOnContext(v -> n.complete(tl.transactionsInFlight()));
    try {
      return await(n.future(), Duration.ofSeconds(2));
    } catch (Exception e) {
      return 0;
    }
  }

  /** Stops SIP and leaves the cluster (other members keep their state). Blocking; idempotent. */
  public void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    readiness.markNotReady("stopping");
    jobs.close();
    try {
      if (admin != null) {
        await(admin.stop(), Duration.ofSeconds(5));
      }
      if (xcap != null) {
        await(xcap.stop(), Duration.ofSeconds(5));
      }
      await(link.stop(), Duration.ofSeconds(5));
      await(sip.stop(), Duration.ofSeconds(10));
    } catch (Exception e) {
      log.warn("stopping SIP: {}", e.toString());
    }
    try {
      await(vertx.close(), Duration.ofSeconds(30));
    } catch (Exception e) {
      log.warn("leaving the pool: {}", e.toString());
    }
    metrics.close();
    terminated.complete(null);
  }

  private static void sleep(long millis) {
    sleepNanos(millis * 1_000_000L);
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static <T> T await(Future<T> future, Duration timeout) throws Exception {
    try {
      return future
          .toCompletionStage()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** For tests and the admin endpoint: the live members' node ids. */
  public Set<String> members() {
    return membership.liveNodeIds();
  }

  @Override
  public String toString() {
    return "PoolNode[" + config.pool().nodeId() + "]";
  }

  /** Unused in a pool of one; kept to name what {@link PoolLink} is for in logs. */
  @Nullable PoolLink link() {
    return link;
  }
}
