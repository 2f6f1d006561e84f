package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files TlsMaterial writes are what Vert.x PEM options load: a TLS echo over loopback. */
class VertxPemLoadingIT {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private NetServer server(TlsMaterial m) throws Exception {
    NetServer server =
        vertx.createNetServer(
            new NetServerOptions()
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertPath(m.nodeCertificate().toString())
                        .setKeyPath(m.nodeKey().toString())));
    server.connectHandler(s -> s.write("hello"));
    return await(server.listen(0, "127.0.0.1"));
  }

  // Held in a field: Vert.x closes a NetClient (and its connections) once it is unreachable.
  private io.vertx.core.net.@org.jspecify.annotations.Nullable NetClient client;

  private String fetch(int port, Path trustedCa) throws Exception {
    client =
        vertx.createNetClient(
            new NetClientOptions()
                .setSsl(true)
                .setHostnameVerificationAlgorithm("HTTPS")
                .setTrustOptions(new PemTrustOptions().addCertPath(trustedCa.toString())));
    CompletableFuture<String> got = new CompletableFuture<>();
    // The handler is set in the connect callback, on the event loop, before any read is handled:
    // set later from the test thread, the server's greeting could arrive first and be lost.
    client
        .connect(port, "localhost")
        .onSuccess(socket -> socket.handler((Buffer b) -> got.complete(b.toString())))
        .onFailure(got::completeExceptionally);
    return got.get(30, TimeUnit.SECONDS);
  }

  @Test
  void vertxServesTheNodeCertificateAndAClientTrustingCaPemConnects(@TempDir Path dir)
      throws Exception {
    Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    TlsMaterial m =
        TlsMaterial.ensure(
            dir,
            "parley.test",
            List.of("localhost", "127.0.0.1"),
            Duration.ofDays(1),
            now,
            KeyPool.fresh());
    NetServer server = server(m);
    assertThat(fetch(server.actualPort(), m.caCertificate())).isEqualTo("hello");
  }

  @Test
  void aClientTrustingAnotherCaIsRefused(@TempDir Path dir) throws Exception {
    Clock now = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    // One supplier for both: the two CAs must not share a key (same DN + key = same CA).
    var keys = KeyPool.fresh();
    TlsMaterial m =
        TlsMaterial.ensure(
            dir.resolve("a"), "parley.test", List.of("localhost"), Duration.ofDays(1), now, keys);
    TlsMaterial other =
        TlsMaterial.ensure(
            dir.resolve("b"), "parley.test", List.of("localhost"), Duration.ofDays(1), now, keys);
    NetServer server = server(m);
    assertThatThrownBy(() -> fetch(server.actualPort(), other.caCertificate()))
        .isInstanceOfAny(ExecutionException.class, javax.net.ssl.SSLException.class);
  }
}
