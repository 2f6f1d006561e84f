package io.parley.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.parley.http.EscapeGuard;
import io.parley.sip.transport.BindFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.AllowForwardHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin HTTP endpoint (plain HTTP; keep it off the public network):
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while this process's event loop answers. Deliberately
 *       independent of the database and the pool, so an outage there never gets the pod killed.
 *   <li>{@code GET /health/ready}: 200 when {@link NodeHealth#ready()}, else 503 with {@code
 *       {"status":"not-ready","reason":...}}. Also 503 once a drain was requested here.
 *   <li>{@code GET /metrics}: Prometheus text format.
 *   <li>{@code POST /admin/drain}: from a loopback peer only (403 otherwise), starts the drain
 *       action once and answers 202; later calls answer 202 without starting it again.
 * </ul>
 *
 * Forwarding headers ({@code X-Forwarded-For}, {@code Forwarded}) are ignored: the loopback check
 * uses the TCP peer address only.
 */
public final class AdminServer {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final String JSON = "application/json";
  private static final Pattern IPV6_ZONE = Pattern.compile("%.*$");

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final NodeHealth health;
  private final PrometheusMeterRegistry registry;
  private final Supplier<Future<?>> drainAction;
  private volatile @Nullable HttpServer server;
  // Set once a drain was accepted; atomic so two racing POSTs start the action only once.
  private final AtomicBoolean draining = new AtomicBoolean();

  /**
   * @param host listen address, e.g. {@code 0.0.0.0}
   * @param port listen port; 0 picks a free one (see {@link #actualPort()})
   * @param drainAction starts the node's drain (stop taking clients, move them, leave the pool);
   *     called on an event loop, so it must not block; its Future completes when drained
   */
  public AdminServer(
      Vertx vertx,
      String host,
      int port,
      NodeHealth health,
      PrometheusMeterRegistry registry,
      Supplier<Future<?>> drainAction) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.health = health;
    this.registry = registry;
    this.drainAction = drainAction;
  }

  /** With a drain action that returns nothing to wait for. */
  public static AdminServer withRunnableDrain(
      Vertx vertx,
      String host,
      int port,
      NodeHealth health,
      PrometheusMeterRegistry registry,
      Runnable drainAction) {
    return new AdminServer(
        vertx,
        host,
        port,
        health,
        registry,
        () -> {
          drainAction.run();
          return Future.succeededFuture();
        });
  }

  /**
   * Listens on the configured address. Fails with an {@link IllegalStateException} naming the
   * address when it is taken or cannot be bound.
   */
  public Future<Void> start() {
    if (server != null) {
      return Future.failedFuture(new IllegalStateException("admin server already started"));
    }
    Router router = Router.router(vertx);
    router.allowForward(AllowForwardHeaders.NONE);
    router.get("/health/live").handler(this::live);
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
    router.post("/admin/drain").handler(this::drain);
    // Probes and scrapers make short requests; an idle connection is someone squatting on it.
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setIdleTimeout(60)
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
    HttpServer s = vertx.createHttpServer(options);
    return s.requestHandler(EscapeGuard.guard(router))
        .listen()
        .<Void>transform(
            ar -> {
              if (ar.failed()) {
                return Future.failedFuture(bindFailure(ar.cause()));
              }
              server = ar.result();
              log.info("Admin HTTP listening on {}:{}", host, ar.result().actualPort());
              return Future.succeededFuture();
            });
  }

  private IllegalStateException bindFailure(Throwable cause) {
    String what =
        BindFailures.isBindFailure(cause)
            ? "the address is already in use (another node or process on this port?)"
            : String.valueOf(cause.getMessage());
    return new IllegalStateException(
        "admin HTTP cannot listen on " + host + ":" + port + ": " + what, cause);
  }

  /** The bound port (useful with port 0), or -1 when not started. */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  /** Stops listening; open requests are cut. Safe to call when not started. */
  public Future<Void> stop() {
    HttpServer s = server;
    server = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  private void live(RoutingContext ctx) {
    // Answering at all proves an event loop is free to run handlers: that is liveness here.
    respond(ctx, 200, new JsonObject().put("status", "live"));
  }

  private void ready(RoutingContext ctx) {
    @Nullable String reason;
    try {
      reason = draining.get() ? "draining" : health.ready() ? null : health.notReadyReason();
    } catch (RuntimeException e) {
      log.warn("Readiness check failed", e);
      reason = "readiness check failed: " + e;
    }
    if (reason == null) {
      respond(ctx, 200, new JsonObject().put("status", "ready"));
    } else {
      respond(ctx, 503, new JsonObject().put("status", "not-ready").put("reason", reason));
    }
  }

  private void metrics(RoutingContext ctx) {
    // Scraping walks every meter and reads MXBeans: keep it off the event loop.
    vertx
        .executeBlocking(registry::scrape, false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(ar.result());
              } else {
                log.warn("Metrics scrape failed", ar.cause());
                respond(ctx, 500, new JsonObject().put("error", "scrape failed"));
              }
            });
  }

  private void drain(RoutingContext ctx) {
    SocketAddress peer = ctx.request().remoteAddress();
    if (!isLoopbackPeer(peer == null ? null : peer.hostAddress())) {
      log.warn("Refused drain request from {}", peer);
      respond(ctx, 403, new JsonObject().put("error", "drain is accepted from loopback only"));
      return;
    }
    if (!draining.compareAndSet(false, true)) {
      respond(ctx, 202, new JsonObject().put("status", "draining").put("started", false));
      return;
    }
    log.info("Drain requested over admin HTTP");
    Future<?> started;
    try {
      started = drainAction.get();
    } catch (RuntimeException e) {
      draining.set(false); // nothing started: let the operator retry
      log.error("Drain action failed to start", e);
      respond(ctx, 500, new JsonObject().put("error", "drain failed to start: " + e));
      return;
    }
    started.onComplete(
        ar -> {
          if (ar.succeeded()) {
            log.info("Drain complete");
          } else {
            log.error("Drain failed", ar.cause());
          }
        });
    respond(ctx, 202, new JsonObject().put("status", "draining").put("started", true));
  }

  /** True for an IP literal in 127.0.0.0/8, ::1 or ::ffff:127.x; never resolves names. */
  static boolean isLoopbackPeer(@Nullable String address) {
    if (address == null || address.isEmpty()) {
      return false;
    }
    String literal = IPV6_ZONE.matcher(address).replaceFirst("");
    if (!literal.matches("[0-9a-fA-F:.]+")) {
      return false; // not an IP literal: InetAddress would resolve it as a name
    }
    try {
      InetAddress a = InetAddress.getByName(literal);
      if (a.isLoopbackAddress()) {
        return true;
      }
      byte[] b = a.getAddress();
      // ::ffff:127.0.0.1 (IPv4-mapped): Java only maps it to Inet4Address when parsing, but be
      // sure.
      return b.length == 16 && isMappedV4(b) && b[12] == 127;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static void respond(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(body.encode());
  }
}
