package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicate;
import com.hazelcast.query.Predicates;
import io.parley.cluster.BindingProcessors.Applied;
import io.parley.cluster.BindingProcessors.ApplyChange;
import io.parley.cluster.BindingProcessors.ContactIndex;
import io.parley.cluster.BindingProcessors.Rejected;
import io.parley.registrar.Binding;
import io.parley.registrar.LocationStore;
import io.parley.registrar.RegistrationChange;
import io.parley.registrar.RegistrationRejectedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's {@link LocationStore}: one {@code parley.bindings} entry per AOR, changed only by
 * entry processors on the partition owner, so a REGISTER is atomic per AOR wherever it arrives. It
 * behaves like {@code InMemoryLocationStore} (same rejections, same ordering, same results), except
 * that an AOR's entry disappears by itself {@link BindingProcessors#TTL_MARGIN} after its last
 * binding expired (so {@link #purgeExpired} may count fewer bindings than it would in memory).
 *
 * <p>Futures complete on the caller's Vert.x context when there is one. Single-key operations use
 * Hazelcast's async API; the two pool-wide scans ({@link #purgeExpired}, {@link #removeNode}) have
 * no async form in Hazelcast 5.3 and run on virtual threads.
 */
public final class HazelcastLocationStore implements LocationStore {

  private static final Logger log = LoggerFactory.getLogger(HazelcastLocationStore.class);

  private final IMap<String, AorBindings> bindings;
  private final IMap<String, ContactIndex> contacts;
  private final String selfNodeId;
  private final Clock clock;
  private final LocalFlowIndex flows = new LocalFlowIndex();
  private final List<Consumer<Set<String>>> droppedListeners = new CopyOnWriteArrayList<>();
  private final ExecutorService scans = Executors.newVirtualThreadPerTaskExecutor();

  public HazelcastLocationStore(HazelcastInstance hz, String selfNodeId, Clock clock) {
    this.bindings = hz.getMap(PoolCluster.BINDINGS_MAP);
    this.contacts = hz.getMap(PoolCluster.CONTACTS_MAP);
    this.selfNodeId = selfNodeId;
    this.clock = clock;
  }

  @Override
  public Future<List<Binding>> lookup(String aor) {
    Instant now = clock.instant();
    return HazelcastFutures.async(() -> bindings.getAsync(aor))
        .map(value -> value == null ? List.<Binding>of() : value.live(now));
  }

  @Override
  public Future<List<Binding>> apply(String aor, RegistrationChange change) {
    ApplyChange processor =
        switch (change) {
          case RegistrationChange.RemoveAll all ->
              new ApplyChange(true, all.callId(), all.cseq(), all.now(), List.of(), List.of(), 0);
          case RegistrationChange.Update u ->
              new ApplyChange(
                  false,
                  u.callId(),
                  u.cseq(),
                  u.now(),
                  stored(u.upserts()),
                  stored(u.removals()),
                  u.maxBindings());
        };
    Context context = Vertx.currentContext();
    return HazelcastFutures.async(() -> bindings.submitToKey(aor, processor), context)
        .compose(
            outcome ->
                switch (outcome) {
                  case Rejected r ->
                      Future.<List<Binding>>failedFuture(
                          new RegistrationRejectedException(r.kind(), r.message()));
                  case Applied a -> indexContacts(aor, processor, context).map(v -> track(aor, a));
                });
  }

  // Index every upserted contact before answering, so the 200 OK is only sent once in-dialog
  // requests to the new contact can be routed.
  private Future<@Nullable Void> indexContacts(
      String aor, ApplyChange processor, @Nullable Context context) {
    if (processor.upserts().isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<@Nullable Void>> all = new ArrayList<>(processor.upserts().size());
    for (StoredBinding b : processor.upserts()) {
      var index = new BindingProcessors.IndexContact(aor, b.expiresAt(), processor.now());
      all.add(
          HazelcastFutures.async(
              () -> contacts.submitToKey(b.contactUri().toLowerCase(Locale.ROOT), index), context));
    }
    return Future.all(all).mapEmpty();
  }

  private List<Binding> track(String aor, Applied applied) {
    Set<String> ours = new HashSet<>();
    for (StoredBinding b : applied.bindings()) {
      if (b.nodeId().equals(selfNodeId)) {
        ours.add(b.flowId());
      }
    }
    flows.update(aor, applied.version(), ours);
    return applied.toBindings();
  }

  @Override
  public Future<Void> removeFlow(String flowId) {
    Instant now = clock.instant();
    Context context = Vertx.currentContext();
    List<Future<List<Binding>>> all = new ArrayList<>();
    for (String aor : flows.aorsOf(flowId)) {
      all.add(
          HazelcastFutures.async(
                  () -> bindings.submitToKey(aor, new BindingProcessors.RemoveFlow(flowId, now)),
                  context)
              .map(applied -> track(aor, applied)));
    }
    return Future.all(all).<Void>mapEmpty().onSuccess(v -> flows.forgetFlow(flowId));
  }

  @Override
  public Future<@Nullable Binding> findByContact(String contactUri) {
    Instant now = clock.instant();
    String contactKey = contactUri.toLowerCase(Locale.ROOT);
    Context context = Vertx.currentContext();
    return HazelcastFutures.async(() -> contacts.getAsync(contactKey), context)
        .compose(
            index -> {
              if (index == null) {
                return Future.succeededFuture(null);
              }
              List<String> aors = new ArrayList<>();
              index
                  .aors()
                  .forEach(
                      (aor, until) -> {
                        if (until.isAfter(now)) {
                          aors.add(aor);
                        }
                      });
              aors.sort(null); // deterministic when (rarely) two AORs registered one contact
              return firstMatch(aors, 0, contactKey, now, context);
            });
  }

  private Future<@Nullable Binding> firstMatch(
      List<String> aors, int i, String contactKey, Instant now, @Nullable Context context) {
    if (i >= aors.size()) {
      return Future.succeededFuture(null);
    }
    return HazelcastFutures.async(() -> bindings.getAsync(aors.get(i)), context)
        .compose(
            value -> {
              if (value != null) {
                for (Binding b : value.live(now)) {
                  if (b.contactUri().toLowerCase(Locale.ROOT).equals(contactKey)) {
                    return Future.succeededFuture(b);
                  }
                }
              }
              return firstMatch(aors, i + 1, contactKey, now, context);
            });
  }

  @Override
  public Future<Integer> purgeExpired(Instant now) {
    // Only entries with an expired binding, selected by one field of the Compact data.
    return scan(
        new BindingProcessors.PurgeExpired(now),
        Predicates.lessEqual(BindingSerializers.EARLIEST_EXPIRY, now.toEpochMilli()));
  }

  /**
   * Drops every binding held by {@code nodeId} (a departed node, or this node's previous
   * incarnation); returns how many. Scans the whole map: call it from one member.
   */
  public Future<Integer> removeNode(String nodeId) {
    Future<Integer> removed = scan(new BindingProcessors.RemoveNode(nodeId, clock.instant()), null);
    if (nodeId.equals(selfNodeId)) {
      return removed.onSuccess(n -> flows.clear());
    }
    return removed;
  }

  /**
   * Drops the bindings of every node not in {@code liveNodeIds} that were written more than {@code
   * grace} ago: the safety net for a departure whose cleanup was lost (the member doing it died
   * mid-scan). The grace spares bindings of a node that joined after {@code liveNodeIds} was read.
   * Scans the whole map: call it from one member.
   */
  public Future<Integer> removeNodesOtherThan(Set<String> liveNodeIds, Duration grace) {
    Instant now = clock.instant();
    return scan(new BindingProcessors.RemoveOrphans(liveNodeIds, now.minus(grace), now), null);
  }

  /** This node's id, as stored in the bindings it writes. */
  public String selfNodeId() {
    return selfNodeId;
  }

  /** AORs this node tracks as holding bindings on its own flows (for metrics and tests). */
  public int locallyTrackedAors() {
    return flows.trackedAors();
  }

  /**
   * Tells {@code listener} which AORs lost bindings in a pool-wide scan (expiry sweep, a departed
   * node, orphans): changes no REGISTER announced, which presence must turn into NOTIFYs. Called on
   * a scan thread, on the member that ran the scan; must not block.
   */
  public void onBindingsDropped(Consumer<Set<String>> listener) {
    droppedListeners.add(listener);
  }

  private Future<Integer> scan(
      com.hazelcast.map.EntryProcessor<String, AorBindings, @Nullable Integer> processor,
      @Nullable Predicate<String, AorBindings> which) {
    Context context = Vertx.currentContext();
    CompletableFuture<Integer> done =
        CompletableFuture.supplyAsync(
            () -> {
              Map<String, @Nullable Integer> results =
                  which == null
                      ? bindings.executeOnEntries(processor)
                      : bindings.executeOnEntries(processor, which);
              int total = 0;
              Set<String> touched = new HashSet<>();
              for (Map.Entry<String, @Nullable Integer> e : results.entrySet()) {
                int n = e.getValue() == null ? 0 : e.getValue();
                total += n;
                if (n > 0) {
                  touched.add(e.getKey());
                }
              }
              if (!touched.isEmpty()) {
                for (Consumer<Set<String>> l : droppedListeners) {
                  try {
                    l.accept(Set.copyOf(touched));
                  } catch (RuntimeException ex) {
                    log.warn("bindings-dropped listener failed", ex);
                  }
                }
              }
              return total;
            },
            scans);
    return HazelcastFutures.async(() -> done, context)
        .onFailure(e -> log.warn("pool-wide binding scan {} failed", processor, e));
  }

  private static List<StoredBinding> stored(List<Binding> list) {
    List<StoredBinding> out = new ArrayList<>(list.size());
    for (Binding b : list) {
      out.add(StoredBinding.of(b));
    }
    return out;
  }
}
