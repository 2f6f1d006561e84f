package io.parley.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Real Hazelcast members on loopback, configured as a pool node configures them. */
final class ClusterTestSupport {

  private ClusterTestSupport() {}

  /** Settings for {@code count} loopback members of a fresh pool (unique name per call). */
  static List<ClusterSettings> loopbackPool(int count) {
    String pool = "test-" + UUID.randomUUID().toString().substring(0, 8);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ports.add(freePort());
    }
    List<String> members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    List<ClusterSettings> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          new ClusterSettings(
              pool,
              "node-" + (char) ('a' + i),
              "127.0.0.1",
              "127.0.0.1",
              ports.get(i),
              members,
              null,
              1));
    }
    return out;
  }

  /** Starts the members one after the other (so member 0 is the oldest) and waits for all. */
  static List<HazelcastInstance> start(List<ClusterSettings> settings) {
    List<HazelcastInstance> out = new ArrayList<>();
    for (ClusterSettings s : settings) {
      Config config = PoolCluster.hazelcastConfig(s);
      // The one deviation from production: members start one after the other here, so the
      // 5 s wait that lets simultaneously started members find one master is not needed.
      config.setProperty("hazelcast.wait.seconds.before.join", "1");
      out.add(Hazelcast.newHazelcastInstance(config));
    }
    return out;
  }

  static void shutdown(List<HazelcastInstance> members) {
    for (HazelcastInstance hz : members) {
      try {
        hz.getLifecycleService().terminate();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
  }

  static <T> T await(Future<T> future) {
    try {
      CompletableFuture<T> cf = future.toCompletionStage().toCompletableFuture();
      return cf.get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A clock tests move by hand; safe to read from Hazelcast threads. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
