package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.spi.impl.SerializationServiceSupport;
import io.parley.cluster.BindingProcessors.Applied;
import io.parley.cluster.BindingProcessors.ApplyChange;
import io.parley.cluster.BindingProcessors.ContactIndex;
import io.parley.cluster.BindingProcessors.IndexContact;
import io.parley.cluster.BindingProcessors.PurgeExpired;
import io.parley.cluster.BindingProcessors.Rejected;
import io.parley.cluster.BindingProcessors.RemoveFlow;
import io.parley.cluster.BindingProcessors.RemoveNode;
import io.parley.cluster.BindingProcessors.RemoveOrphans;
import io.parley.cluster.HazelcastPresenceDocuments.Apply;
import io.parley.cluster.HazelcastPresenceDocuments.Drop;
import io.parley.cluster.HazelcastPresenceDocuments.Publications;
import io.parley.presence.Publication;
import io.parley.presence.PublicationChange;
import io.parley.presence.PublishOutcome;
import io.parley.presence.pidf.Basic;
import io.parley.presence.pidf.Person;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.presence.pidf.Tuple;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates the Compact schema of every pool value, entry processor and outcome when a member has
 * started, on the thread that started it (registered by {@link PoolCluster#hazelcastConfig}).
 *
 * <p>Hazelcast replicates a Compact schema to all members the first time a member serializes an
 * object of its type, and waits for it on the serializing thread. That thread may be one that must
 * not invoke anything: a fresh pool's first write often finds its partition not yet assigned, and
 * Hazelcast retries it on the member's invocation monitor thread, which refuses the replication's
 * invocations. The serialization then fails inside the retry task, the failure is swallowed, and
 * the write is left without an answer until its 60 s call timeout (the intermittent hang of the
 * first write of PoolFailoverIT and HazelcastLocationStoreIT). On a partition thread the same first
 * serialization would stall every partition of that thread for two round trips. Once a schema is
 * replicated, later serializations of its type only look it up, on any thread.
 */
final class CompactSchemas implements LifecycleListener, HazelcastInstanceAware {

  private static final Logger log = LoggerFactory.getLogger(CompactSchemas.class);

  private volatile @Nullable HazelcastInstance hz;

  @Override
  public void setHazelcastInstance(HazelcastInstance hz) {
    this.hz = hz;
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    HazelcastInstance member = hz;
    if (event.getState() != LifecycleEvent.LifecycleState.STARTED || member == null) {
      return;
    }
    try {
      replicate(member);
    } catch (RuntimeException e) {
      // The member still works: each schema is then replicated on first use, as before.
      log.warn("could not replicate the pool's Compact schemas at start", e);
    }
  }

  /** Serializes one sample of every type, which replicates each schema (blocking, off-loop). */
  static void replicate(HazelcastInstance hz) {
    SerializationService serialization =
        ((SerializationServiceSupport) hz).getSerializationService();
    for (Object sample : samples()) {
      serialization.toData(sample);
    }
  }

  /**
   * One instance of every class with a serializer in {@link BindingSerializers#all()} and {@link
   * PresenceSerializers#all()} (a test holds the two lists to each other).
   */
  static List<Object> samples() {
    Instant t = Instant.EPOCH;
    StoredBinding binding =
        new StoredBinding("a", "c", null, -1, "f", "n", "UDP", "h", 1, "i", 1, 1.0f, t, t);
    Tuple tuple = new Tuple("t", Basic.OPEN, null, List.of());
    Person person = new Person(List.of(), List.of());
    PresenceDocument document = new PresenceDocument("e", List.of(tuple), person, List.of());
    Publication publication = new Publication("p", "e", document, t, t);
    LinkedHashMap<String, Publication> byEtag = new LinkedHashMap<>(Map.of("e", publication));
    PublicationChange.Create create = new PublicationChange.Create("e", document, t, t, 1);
    PublishOutcome.Snapshot snapshot = new PublishOutcome.Snapshot(1, List.of(publication));
    return List.of(
        binding,
        new AorBindings(1, List.of(binding)),
        new ContactIndex(Map.of("a", t)),
        new CachedCredentials(1, "a", true, "m", "s"),
        new ApplyChange(false, "i", 1, t, List.of(binding), List.of(), 1),
        new Applied(1, List.of(binding)),
        new Rejected("k", "m"),
        new RemoveFlow("f", t),
        new RemoveNode("n", t),
        new RemoveOrphans(Set.of("n"), t, t),
        new PurgeExpired(t),
        new IndexContact("a", t, t),
        new Publications(byEtag, new LinkedHashMap<>(Map.of("e", "n"))),
        publication,
        document,
        tuple,
        person,
        new Apply(create, "n"),
        new Drop(t, null),
        create,
        new PublicationChange.Refresh("e", "e2", t, t),
        new PublicationChange.Modify("e", "e2", document, t, t),
        new PublicationChange.Remove("e", t),
        new PublishOutcome.Applied(publication, true, snapshot),
        snapshot,
        new PublishOutcome.UnknownEtag(),
        new PublishOutcome.TooManyPublications());
  }
}
