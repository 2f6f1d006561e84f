package io.parley.node;

import io.parley.app.CredentialSource;
import io.parley.app.DigestGate;
import io.parley.app.RequestRouter;
import io.parley.app.SipApplication;
import io.parley.auth.DigestAlgorithm;
import io.parley.auth.DigestAuthenticator;
import io.parley.auth.DigestConfig;
import io.parley.registrar.LocationStore;
import io.parley.registrar.Registrar;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.SipTransportLayer;
import io.parley.sip.transport.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SIP node: transport listeners, the transaction layer, Digest authentication, the registrar
 * and the application dispatcher, with the request router plugged in through a factory (so the
 * proxy is built once the transaction layer exists). {@link #start()} then {@link #stop()}.
 */
public final class SipNode {

  private static final Logger log = LoggerFactory.getLogger(SipNode.class);

  /** What a router gets to build itself. */
  public record Services(
      Vertx vertx,
      SipNodeConfig config,
      SipTransport transport,
      TransactionLayer transactions,
      LocationStore locations,
      Context context) {}

  /** Builds the router once the layers exist; called on the node's context. */
  @FunctionalInterface
  public interface RouterFactory {
    RequestRouter create(Services services);
  }

  /** Builds a {@link SipApplication.LocalService} (e.g. presence) once the layers exist. */
  @FunctionalInterface
  public interface LocalServiceFactory {
    SipApplication.LocalService create(Services services);
  }

  private final Vertx vertx;
  private final SipNodeConfig config;
  private final CredentialSource credentials;
  private final byte[] digestKey;
  private final LocationStore locations;
  private final RouterFactory routerFactory;
  private final Clock clock;
  private final SipTransportLayer transport;
  private final Function<SipTransportLayer, SipTransport> transportView;
  private @Nullable SipTransport view;
  private @Nullable LocalServiceFactory localServiceFactory;
  private List<DigestAlgorithm> digestAlgorithms = DigestConfig.DEFAULT_CHALLENGE_ORDER;
  private SipApplication.@Nullable LocalService localService;
  private @Nullable TransactionLayer transactions;
  private @Nullable SipApplication application;
  private long purgeTimer = -1;

  /**
   * @param digestKey HMAC key for nonces (>= 16 random bytes, the same on every pool node)
   */
  public SipNode(
      Vertx vertx,
      SipNodeConfig config,
      CredentialSource credentials,
      byte[] digestKey,
      LocationStore locations,
      RouterFactory routerFactory) {
    this(vertx, config, credentials, digestKey, locations, routerFactory, layer -> layer);
  }

  /**
   * @param transportView what the layers above see of the transport: the listeners themselves, or
   *     (in a pool) the listeners plus the links to the other members
   */
  public SipNode(
      Vertx vertx,
      SipNodeConfig config,
      CredentialSource credentials,
      byte[] digestKey,
      LocationStore locations,
      RouterFactory routerFactory,
      Function<SipTransportLayer, SipTransport> transportView) {
    this.transportView = transportView;
    this.vertx = vertx;
    this.config = config;
    this.credentials = credentials;
    this.digestKey = digestKey.clone();
    this.locations = locations;
    this.routerFactory = routerFactory;
    this.clock = Clock.systemUTC();
    this.transport =
        SipTransportLayer.create(vertx, config.transport().withFlowIdPrefix(config.nodeId() + "/"));
  }

  /**
   * The Digest algorithms challenged, in order (call before {@link #start()}); default MD5 then
   * SHA-256. Some clients (baresip 1.x) give up when offered an algorithm they lack.
   */
  public SipNode withDigestAlgorithms(List<DigestAlgorithm> algorithms) {
    this.digestAlgorithms = List.copyOf(algorithms);
    return this;
  }

  /** Adds a local service (call before {@link #start()}). */
  public SipNode withLocalService(LocalServiceFactory factory) {
    this.localServiceFactory = factory;
    return this;
  }

  /** Starts the listeners and the layers above them. */
  public Future<Void> start() {
    return transport
        .start()
        .compose(
            v -> {
              Promise<Void> ready = Promise.promise();
              transport
                  .context()
                  .runOnContext(
                      x -> {
                        try {
                          assemble();
                          ready.complete();
                        } catch (RuntimeException e) {
                          ready.fail(e);
                        }
                      });
              return ready.future();
            })
        .recover(e -> transport.stop().transform(x -> Future.failedFuture(e)));
  }

  private void assemble() {
    Context ctx = transport.context();
    SipTransport seen = transportView.apply(transport);
    view = seen;
    TransactionLayer tl =
        new TransactionLayer(seen, new VertxSipTimers(vertx, ctx), config.transactions());
    Map<String, DigestAuthenticator> byRealm = new HashMap<>();
    for (String domain : config.domains()) {
      byRealm.put(
          domain,
          new DigestAuthenticator(
              new DigestConfig(
                  domain,
                  digestKey,
                  config.nonceLifetime(),
                  DigestConfig.DEFAULT_MAX_TRACKED_NONCES,
                  digestAlgorithms),
              clock));
    }
    DigestGate gate =
        new DigestGate(byRealm, config.domains().get(0), credentials, config.throttle(clock));
    Registrar registrar = new Registrar(config.registrar(), locations, config.nodeId(), clock);
    Services services = new Services(vertx, config, seen, tl, locations, ctx);
    RequestRouter router = routerFactory.create(services);
    Executor onContext =
        task -> {
          if (Vertx.currentContext() == ctx) {
            task.run();
          } else {
            ctx.runOnContext(x -> task.run());
          }
        };
    SipApplication app =
        new SipApplication(
            new LinkedHashSet<>(config.domains()),
            localHosts(),
            gate,
            registrar,
            router,
            seen.flows(),
            onContext);
    if (localServiceFactory != null) {
      localService = localServiceFactory.create(services);
      app.localService(localService);
    }
    tl.transactionUser(app);
    transactions = tl;
    application = app;
    log.info(
        "SIP node {} up: domains {}, udp {}, tcp {}, tls {}",
        config.nodeId(),
        config.domains(),
        transport.actualUdpPort(),
        transport.actualTcpPort(),
        transport.actualTlsPort());
    if (config.purgeInterval().isZero() || config.purgeInterval().isNegative()) {
      return; // the pool runs the sweep as a singleton job
    }
    purgeTimer =
        vertx.setPeriodic(
            Math.max(1000, config.purgeInterval().toMillis()),
            id ->
                locations
                    .purgeExpired(Instant.now(clock))
                    .onFailure(e -> log.warn("purging expired bindings failed", e)));
  }

  private Set<String> localHosts() {
    Set<String> hosts = new HashSet<>();
    String host = config.transport().host();
    if (!host.equals("0.0.0.0") && !host.equals("::")) {
      hosts.add(host);
    }
    if (config.transport().advertisedHost() != null) {
      hosts.add(config.transport().advertisedHost());
    }
    for (Transport t : Transport.values()) {
      try {
        hosts.add(transport.sentByHost(t));
      } catch (RuntimeException e) {
        // transport disabled
      }
    }
    return hosts;
  }

  /** Stops the purge timer, the transaction layer and the listeners (closing every flow). */
  public Future<Void> stop() {
    if (purgeTimer >= 0) {
      vertx.cancelTimer(purgeTimer);
      purgeTimer = -1;
    }
    TransactionLayer tl = transactions;
    SipApplication.LocalService local = localService;
    if (tl != null) {
      transport
          .context()
          .runOnContext(
              x -> {
                if (local != null) {
                  local.close();
                }
                tl.close();
              });
    }
    return transport.stop();
  }

  public int actualUdpPort() {
    return transport.actualUdpPort();
  }

  public int actualTcpPort() {
    return transport.actualTcpPort();
  }

  public int actualTlsPort() {
    return transport.actualTlsPort();
  }

  public SipTransportLayer transport() {
    return transport;
  }

  /** The transaction layer (null before {@link #start()} completed). */
  public @Nullable TransactionLayer transactions() {
    return transactions;
  }

  /** The dispatcher (null before {@link #start()} completed). */
  public @Nullable SipApplication application() {
    return application;
  }

  public LocationStore locations() {
    return locations;
  }
}
