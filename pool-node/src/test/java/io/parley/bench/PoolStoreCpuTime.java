package io.parley.bench;

import com.hazelcast.config.CompactSerializationConfig;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.parley.cluster.ClusterSettings;
import io.parley.cluster.HazelcastLocationStore;
import io.parley.cluster.HazelcastPresenceDocuments;
import io.parley.cluster.PoolCluster;
import io.parley.presence.PublicationChange;
import io.parley.presence.pidf.Basic;
import io.parley.presence.pidf.Person;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.presence.pidf.Tuple;
import io.parley.registrar.Binding;
import io.parley.registrar.RegistrationChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The pool stores' cost per operation in <em>process CPU time</em> (every thread: callers,
 * Hazelcast partition and I/O threads, GC, JIT), so time spent descheduled by other jobs on a
 * shared machine does not count. Compares Hazelcast's Java serialization of Parley's values (the
 * format before session 4) with the Compact serializers, in the same JVM, rounds interleaved.
 *
 * <p>One round: a fresh two-member pool in this JVM (so half the keys are remote and every write
 * has a backup on the other member, as in a real pool), then N "REGISTER"s (bindings entry
 * processor, contact index, then a lookup, as the registrar and a later routing do) or N
 * "PUBLISH"es (an initial publication, as {@code bench/scenarios/publish.xml}, on presentities
 * holding a few publications), 64 in flight. Run: {@code java -cp ...
 * io.parley.bench.PoolStoreCpuTime [rounds] [ops]}.
 */
public final class PoolStoreCpuTime {

  private static final int IN_FLIGHT = 64;
  private static final int USERS = 2_000;

  private PoolStoreCpuTime() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int ops = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    List<String> lines = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      for (String format : List.of("java", "compact")) {
        List<HazelcastInstance> pool = startPool(format.equals("compact"));
        try {
          Clock clock = Clock.systemUTC();
          var bindings = new HazelcastLocationStore(pool.get(0), "node-a", clock);
          var documents = new HazelcastPresenceDocuments(pool.get(0), "node-a");
          IntFunction<CompletableFuture<?>> register = i -> register(bindings, clock, i);
          IntFunction<CompletableFuture<?>> publish = i -> publish(documents, clock, i);
          // Warm-up (JIT) and first-use costs (schemas) not measured.
          run(register, 0, ops / 2);
          run(publish, 0, ops / 2);
          for (var kind : List.of("REGISTER", "PUBLISH")) {
            IntFunction<CompletableFuture<?>> op = kind.equals("REGISTER") ? register : publish;
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            run(op, ops / 2, ops);
            double cpuUs = (os.getProcessCpuTime() - cpu0) / 1e3 / ops;
            double wallUs = (System.nanoTime() - t0) / 1e3 / ops;
            lines.add(
                String.format(
                    Locale.ROOT,
                    "round %d %-8s %-7s CPU %.1f us/op  wall %.1f us/op",
                    r + 1,
                    kind,
                    format,
                    cpuUs,
                    wallUs));
            System.out.println(lines.getLast());
          }
        } finally {
          pool.forEach(hz -> hz.getLifecycleService().terminate());
        }
      }
    }
    System.out.println(String.join("\n", lines));
    System.exit(0);
  }

  private static void run(IntFunction<CompletableFuture<?>> op, int from, int n) throws Exception {
    CompletableFuture<?>[] window = new CompletableFuture<?>[IN_FLIGHT];
    Arrays.fill(window, CompletableFuture.completedFuture(null));
    for (int i = 0; i < n; i++) {
      int slot = i % IN_FLIGHT;
      window[slot].get(30, TimeUnit.SECONDS);
      window[slot] = op.apply(from + i);
    }
    CompletableFuture.allOf(window).get(30, TimeUnit.SECONDS);
  }

  private static CompletableFuture<?> register(HazelcastLocationStore store, Clock clock, int i) {
    int u = i % USERS;
    String aor = "sip:user" + u + "@example.test";
    Instant now = clock.instant();
    Binding b =
        new Binding(
            aor,
            "sip:user" + u + "@127.0.0.1:35260;transport=udp",
            null,
            -1,
            "udp:127.0.0.1:35260",
            "node-a",
            "UDP",
            "127.0.0.1",
            35260,
            "call-" + u,
            i + 1L,
            1.0f,
            now.plusSeconds(3600),
            now);
    return store
        .apply(
            aor, new RegistrationChange.Update("call-" + u, i + 1L, now, List.of(b), List.of(), 10))
        .compose(x -> store.lookup(aor))
        .toCompletionStage()
        .toCompletableFuture();
  }

  private static final PresenceDocument DOC =
      new PresenceDocument(
          "pres:user@example.test",
          List.of(new Tuple("t1", Basic.OPEN, "sip:user@127.0.0.1", List.of("available"))),
          new Person(List.of("busy"), List.of()),
          List.of());

  // Four publications per presentity at most: an initial PUBLISH on a full presentity first drops
  // its oldest (a Remove), so each presentity holds three or four, as under a publish ramp.
  private static CompletableFuture<?> publish(
      HazelcastPresenceDocuments store, Clock clock, int i) {
    int u = i % USERS;
    String presentity = "sip:user" + u + "@example.test";
    Instant now = clock.instant();
    String etag = "e" + i;
    CompletableFuture<?> created =
        store
            .apply(
                presentity,
                new PublicationChange.Create(etag, DOC, now.plusSeconds(600), now, 1_000))
            .toCompletionStage()
            .toCompletableFuture();
    int old = i - 4 * USERS;
    if (old < 0) {
      return created;
    }
    return created.thenCompose(
        x ->
            store
                .apply(presentity, new PublicationChange.Remove("e" + old, now))
                .toCompletionStage()
                .toCompletableFuture());
  }

  private static List<HazelcastInstance> startPool(boolean compact) {
    String pool = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    int p1 = freePort();
    int p2 = freePort();
    List<String> members = List.of("127.0.0.1:" + p1, "127.0.0.1:" + p2);
    List<HazelcastInstance> out = new ArrayList<>();
    for (var s :
        List.of(
            new ClusterSettings(pool, "node-a", "127.0.0.1", "127.0.0.1", p1, members, null, 1),
            new ClusterSettings(pool, "node-b", "127.0.0.1", "127.0.0.1", p2, members, null, 1))) {
      Config config = PoolCluster.hazelcastConfig(s);
      config.setProperty("hazelcast.wait.seconds.before.join", "1");
      config.setProperty("hazelcast.logging.type", "none");
      if (!compact) {
        // The format before session 4: no Compact serializers, so Java serialization.
        config
            .getSerializationConfig()
            .setCompactSerializationConfig(new CompactSerializationConfig());
      }
      out.add(Hazelcast.newHazelcastInstance(config));
    }
    return out;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
