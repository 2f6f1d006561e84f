package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import io.parley.testing.LogCapture;
import io.parley.testing.RawHttp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminServerTest {

  private static Vertx vertx;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private NodeMetrics metrics;
  private AdminServer server;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    await(vertx.close());
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      await(server.stop());
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  @Test
  void liveAnswers200EvenWhenTheNodeIsNotReady() throws Exception {
    start("127.0.0.1", NodeHealth.always(false, "database unreachable"), Future::succeededFuture);

    HttpResponse<String> live = get("/health/live");

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).contains("\"live\"");
  }

  @Test
  void aPathWithABrokenEscapeIs400WithoutAnErrorInTheLog() throws Exception {
    start("127.0.0.1", NodeHealth.always(true, "ok"), Future::succeededFuture);

    try (LogCapture vertxWeb = LogCapture.of("io.vertx.ext.web")) {
      assertThat(RawHttp.statusLine(server.actualPort(), "/health/%zz"))
          .isEqualTo("HTTP/1.1 400 Bad Request");
      assertThat(vertxWeb.events()).noneMatch(e -> e.getLevel() == Level.ERROR);
    }
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void readyFollowsTheCheckFrom503To200() throws Exception {
    AtomicBoolean serving = new AtomicBoolean(false);
    start("127.0.0.1", flagHealth(serving, "SIP listeners not started"), Future::succeededFuture);

    HttpResponse<String> before = get("/health/ready");
    serving.set(true);
    HttpResponse<String> after = get("/health/ready");

    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.headers().firstValue("content-type")).contains("application/json");
    assertThat(before.body())
        .isEqualTo("{\"status\":\"not-ready\",\"reason\":\"SIP listeners not started\"}");
    assertThat(after.statusCode()).isEqualTo(200);
  }

  @Test
  void aThrowingReadinessCheckMeansNotReady() throws Exception {
    NodeHealth broken =
        new NodeHealth() {
          @Override
          public boolean ready() {
            throw new IllegalStateException("boom");
          }

          @Override
          public String notReadyReason() {
            return "unused";
          }
        };
    start("127.0.0.1", broken, Future::succeededFuture);

    HttpResponse<String> ready = get("/health/ready");

    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("readiness check failed").contains("boom");
  }

  @Test
  void metricsServePrometheusTextWithJvmMetersAndSipCounters() throws Exception {
    start("127.0.0.1", NodeHealth.always(true, ""), Future::succeededFuture);
    metrics.sip().requestReceived("REGISTER");
    metrics.sip().requestReceived("REGISTER");
    metrics.sip().requestReceived("FROBNICATE");
    metrics.sip().responseSent(401);
    metrics.sip().requestRejected(SipMetrics.REJECT_TOO_LARGE);
    AtomicInteger tcp = new AtomicInteger(7);
    metrics.connections("tcp", tcp::get).poolMembers(() -> 3);

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .contains(AdminServer.PROMETHEUS_CONTENT_TYPE);
    assertThat(response.body())
        .contains("jvm_memory_used_bytes{")
        .contains("jvm_gc_")
        .contains("jvm_threads_live_threads{")
        .contains("process_cpu_usage{")
        .contains("process_uptime_seconds{")
        .contains("parley_sip_requests_total{method=\"REGISTER\",node=\"node-1\"} 2.0")
        .contains("parley_sip_requests_total{method=\"other\",node=\"node-1\"} 1.0")
        .contains("parley_sip_responses_total{class=\"4xx\",node=\"node-1\"} 1.0")
        .contains("parley_sip_rejected_total{node=\"node-1\",reason=\"too-large\"} 1.0")
        .contains("parley_sip_connections{node=\"node-1\",transport=\"tcp\"} 7.0")
        .contains("parley_pool_members{node=\"node-1\"} 3.0")
        .doesNotContain("FROBNICATE");
  }

  @Test
  void drainFromLoopbackStartsTheActionOnceAndAnswers202() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Promise<Void> drained = Promise.promise();
    start(
        "127.0.0.1",
        NodeHealth.always(true, ""),
        () -> {
          calls.incrementAndGet();
          return drained.future();
        });

    HttpResponse<String> first = post("127.0.0.1", "/admin/drain");
    HttpResponse<String> second = post("127.0.0.1", "/admin/drain");
    HttpResponse<String> ready = get("/health/ready");

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(202);
    assertThat(calls).hasValue(1);
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("draining");
    drained.complete();
  }

  @Test
  void drainFromIpv6LoopbackIsAccepted() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start("::1", NodeHealth.always(true, ""), counting(calls));

    HttpResponse<String> response = post("[::1]", "/admin/drain");

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(calls).hasValue(1);
  }

  @Test
  void drainFromANonLoopbackPeerIsForbidden() throws Exception {
    Optional<InetAddress> external = nonLoopbackIpv4();
    assumeTrue(external.isPresent(), "needs a non-loopback IPv4 address on this machine");
    AtomicInteger calls = new AtomicInteger();
    start("0.0.0.0", NodeHealth.always(true, ""), counting(calls));

    HttpResponse<String> response =
        send(
            external.get().getHostAddress(),
            "/admin/drain",
            HttpRequest.newBuilder()
                .POST(HttpRequest.BodyPublishers.noBody())
                // A forwarded header must not turn a remote caller into a local one.
                .header("X-Forwarded-For", "127.0.0.1")
                .header("Forwarded", "for=127.0.0.1"));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(calls).hasValue(0);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void drainNeedsPost() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start("127.0.0.1", NodeHealth.always(true, ""), counting(calls));

    assertThat(get("/admin/drain").statusCode()).isEqualTo(405);
    assertThat(calls).hasValue(0);
  }

  @Test
  void aDrainActionThatThrowsAnswers500AndCanBeRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    start(
        "127.0.0.1",
        NodeHealth.always(true, ""),
        () -> {
          if (calls.incrementAndGet() == 1) {
            throw new IllegalStateException("not yet");
          }
          return Future.succeededFuture();
        });

    assertThat(post("127.0.0.1", "/admin/drain").statusCode()).isEqualTo(500);
    assertThat(post("127.0.0.1", "/admin/drain").statusCode()).isEqualTo(202);
    assertThat(calls).hasValue(2);
  }

  @Test
  void unknownPathsAre404() throws Exception {
    start("127.0.0.1", NodeHealth.always(true, ""), Future::succeededFuture);

    assertThat(get("/admin").statusCode()).isEqualTo(404);
  }

  @Test
  void aBusyPortFailsStartNamingTheAddress() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metrics = new NodeMetrics("node-1");
      server =
          new AdminServer(
              vertx,
              "127.0.0.1",
              taken.getLocalPort(),
              NodeHealth.always(true, ""),
              metrics.registry(),
              Future::succeededFuture);

      assertThatThrownBy(() -> await(server.start()))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
          .hasMessageContaining("already in use");
      assertThat(server.actualPort()).isEqualTo(-1);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, true",
    "127.8.9.10, true",
    "::1, true",
    "0:0:0:0:0:0:0:1, true",
    "::ffff:127.0.0.1, true",
    "fe80::1%eth0, false",
    "10.0.0.1, false",
    "192.0.2.2, false",
    "::ffff:10.0.0.1, false",
    "localhost, false",
    "'', false",
  })
  void onlyLoopbackLiteralsCountAsLocal(String address, boolean loopback) {
    assertThat(AdminServer.isLoopbackPeer(address)).isEqualTo(loopback);
  }

  // ------------------------------------------------------------------ helpers

  private void start(String host, NodeHealth health, Supplier<Future<?>> drain) throws Exception {
    metrics = new NodeMetrics("node-1");
    server = new AdminServer(vertx, host, 0, health, metrics.registry(), drain);
    await(server.start());
    this.host = host.contains(":") ? "[" + host + "]" : host;
  }

  private String host = "127.0.0.1";

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return send(h, path, HttpRequest.newBuilder().GET());
  }

  private HttpResponse<String> post(String h, String path)
      throws IOException, InterruptedException {
    return send(h, path, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.noBody()));
  }

  private HttpResponse<String> send(String h, String path, HttpRequest.Builder request)
      throws IOException, InterruptedException {
    URI uri = URI.create("http://" + h + ":" + server.actualPort() + path);
    return http.send(
        request.uri(uri).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static NodeHealth flagHealth(AtomicBoolean flag, String reason) {
    return new NodeHealth() {
      @Override
      public boolean ready() {
        return flag.get();
      }

      @Override
      public String notReadyReason() {
        return reason;
      }
    };
  }

  private static Supplier<Future<?>> counting(AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      return Future.succeededFuture();
    };
  }

  private static Optional<InetAddress> nonLoopbackIpv4() throws SocketException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
