package io.parley.cluster;

import static io.parley.cluster.ClusterTestSupport.await;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.compact.Schema;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
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
import io.parley.cluster.HazelcastPresenceDocuments.Publications;
import io.parley.presence.Publication;
import io.parley.presence.PublicationChange;
import io.parley.presence.PublishOutcome;
import io.parley.presence.pidf.Basic;
import io.parley.presence.pidf.Person;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.presence.pidf.Tuple;
import io.parley.registrar.Binding;
import io.parley.registrar.RegistrationChange;
import io.parley.registrar.RegistrationRejectedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pool's values and entry processors travel in Hazelcast's Compact format, every field survives
 * the trip (absent optional ones included), and what one member writes another reads.
 */
class PoolSerializationIT {

  // Nanoseconds on purpose: instants must come back exactly, not rounded to milliseconds.
  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00.123456789Z");

  private static List<HazelcastInstance> members;
  private static SerializationService a;

  @BeforeAll
  static void startPool() {
    members = ClusterTestSupport.start(ClusterTestSupport.loopbackPool(2));
    a = ((SerializationServiceSupport) members.get(0)).getSerializationService();
  }

  @AfterAll
  static void stopPool() {
    ClusterTestSupport.shutdown(members);
  }

  private static StoredBinding binding(String instanceId) {
    return new StoredBinding(
        "sip:alice@example.test",
        "sip:alice@10.0.0.7:5062;transport=tcp",
        instanceId,
        2,
        "flow-9",
        "node-a",
        "TCP",
        "10.0.0.7",
        5062,
        "call-1@host",
        4_000_000_000L,
        0.7f,
        T0.plusSeconds(3600),
        T0.minusNanos(1));
  }

  private static PresenceDocument document(boolean withPerson) {
    return new PresenceDocument(
        "pres:alice@example.test",
        List.of(
            new Tuple("t1", Basic.OPEN, "sip:alice@10.0.0.7", List.of("at my desk", "")),
            new Tuple("t2", null, null, List.of())),
        withPerson ? new Person(List.of("busy", "on-the-phone"), List.of("in a call")) : null,
        withPerson ? List.of("document note") : List.of());
  }

  private static Publication publication(String etag, boolean withPerson) {
    return new Publication(
        "sip:alice@example.test", etag, document(withPerson), T0.plusSeconds(600), T0.plusNanos(5));
  }

  /** Serialises on member A and back, asserting the Compact format on the way. */
  private static <T> T roundTrip(T value) {
    Data data = a.toData(value);
    assertThat(data.getType()).as("type of %s", value.getClass().getSimpleName()).isEqualTo(-55);
    return a.toObject(data);
  }

  @Test
  void everyMemberKnowsEverySchemaBeforeTheFirstWrite() {
    List<CompactSerializer<?>> serializers = new ArrayList<>(BindingSerializers.all());
    serializers.addAll(PresenceSerializers.all());
    // A type added without a sample would be replicated on first use again, on any thread.
    assertThat(CompactSchemas.samples().stream().map(Object::getClass).collect(toSet()))
        .isEqualTo(serializers.stream().map(CompactSerializer::getCompactClass).collect(toSet()));
    Set<String> typeNames =
        serializers.stream().map(CompactSerializer::getTypeName).collect(toSet());

    // A pool of its own: nothing has been written to it yet (this class's pool has, by others).
    List<HazelcastInstance> fresh = ClusterTestSupport.start(ClusterTestSupport.loopbackPool(2));
    try {
      for (HazelcastInstance hz : fresh) {
        var schemas =
            ((HazelcastInstanceProxy) hz).getOriginal().node.getNodeEngine().getSchemaService();
        assertThat(schemas.getAllSchemas().stream().map(Schema::getTypeName).collect(toSet()))
            .as("schemas known to %s", hz.getName())
            .containsAll(typeNames);
      }
    } finally {
      ClusterTestSupport.shutdown(fresh);
    }
  }

  @Test
  void bindingValuesRoundTripEveryFieldInCompactFormat() {
    StoredBinding full = binding("<urn:uuid:00000000-0000-0000-0000-000000000001>");
    StoredBinding noInstance = binding(null);
    assertThat(roundTrip(full)).isEqualTo(full);
    assertThat(roundTrip(noInstance)).isEqualTo(noInstance);
    AorBindings aor = new AorBindings(42, List.of(full, noInstance));
    assertThat(roundTrip(aor)).isEqualTo(aor);
    AorBindings empty = new AorBindings(1, List.of());
    assertThat(roundTrip(empty)).isEqualTo(empty);
    ContactIndex index =
        new ContactIndex(Map.of("sip:a@x", T0, "sip:b@x", T0.plusSeconds(1).plusNanos(7)));
    assertThat(roundTrip(index)).isEqualTo(index);
    CachedCredentials creds =
        new CachedCredentials(7, "sip:alice@example.test", false, "0a".repeat(16), "b1".repeat(32));
    assertThat(roundTrip(creds)).isEqualTo(creds);
  }

  @Test
  void bindingProcessorsAndOutcomesRoundTripInCompactFormat() {
    StoredBinding b = binding(null);
    List<Object> values =
        List.of(
            new ApplyChange(false, "call-1", 9, T0, List.of(b), List.of(binding("i")), 10),
            new ApplyChange(true, "call-2", 1, T0, List.of(), List.of(), 0),
            new Applied(3, List.of(b)),
            new Rejected(RegistrationRejectedException.Kind.OUT_OF_ORDER, "CSeq 1 not higher"),
            new RemoveFlow("flow-9", T0),
            new RemoveNode("node-b", T0),
            new RemoveOrphans(Set.of("node-a", "node-c"), T0.minusSeconds(30), T0),
            new PurgeExpired(T0),
            new IndexContact("sip:alice@example.test", T0.plusSeconds(60), T0));
    for (Object v : values) {
      assertThat(roundTrip(v)).isEqualTo(v);
    }
  }

  @Test
  void publicationValuesRoundTripEveryFieldInCompactFormat() {
    for (boolean withPerson : new boolean[] {true, false}) {
      Publication p = publication("e1", withPerson);
      assertThat(roundTrip(p)).isEqualTo(p);
    }
    LinkedHashMap<String, Publication> byEtag = new LinkedHashMap<>();
    byEtag.put("e2", publication("e2", true));
    byEtag.put("e1", publication("e1", false));
    LinkedHashMap<String, String> nodes = new LinkedHashMap<>();
    nodes.put("e2", "node-b");
    nodes.put("e1", "node-a");
    Publications pubs = new Publications(byEtag, nodes);
    pubs.version = 1_767_261_600_123_456L;
    Publications back = roundTrip(pubs);
    // Order matters: it is the order watchers see the devices in.
    assertThat(back.byEtag).containsExactlyEntriesOf(byEtag);
    assertThat(back.nodeByEtag).containsExactlyEntriesOf(nodes);
    assertThat(back.version).isEqualTo(pubs.version);
  }

  @Test
  void publishProcessorsAndOutcomesRoundTripInCompactFormat() {
    PresenceDocument doc = document(true);
    Publication p = publication("e1", false);
    List<Object> values =
        List.of(
            new HazelcastPresenceDocuments.Apply(
                new PublicationChange.Create("e1", doc, T0.plusSeconds(60), T0, 4), "node-a"),
            new HazelcastPresenceDocuments.Apply(
                new PublicationChange.Refresh("e1", "e2", T0.plusSeconds(60), T0), "node-a"),
            new HazelcastPresenceDocuments.Apply(
                new PublicationChange.Modify("e1", "e2", doc, T0.plusSeconds(60), T0), "node-b"),
            new HazelcastPresenceDocuments.Apply(new PublicationChange.Remove("e1", T0), "node-b"),
            new HazelcastPresenceDocuments.Drop(T0, "node-c"),
            new HazelcastPresenceDocuments.Drop(T0, null),
            new PublishOutcome.Applied(p, false),
            new PublishOutcome.Applied(null, true),
            new PublishOutcome.Applied(p, true, new PublishOutcome.Snapshot(5, List.of(p))),
            new PublishOutcome.Snapshot(6, List.of()),
            new PublishOutcome.UnknownEtag(),
            new PublishOutcome.TooManyPublications());
    for (Object v : values) {
      assertThat(roundTrip(v)).isEqualTo(v);
    }
  }

  @Test
  void bindingsWrittenByOneMemberAreReadByAnother() {
    var clock = new ClusterTestSupport.MutableClock(T0);
    var storeA = new HazelcastLocationStore(members.get(0), "node-a", clock);
    var storeB = new HazelcastLocationStore(members.get(1), "node-b", clock);
    String aor = "sip:carol@example.test";
    Binding written =
        new Binding(
            aor,
            "sip:carol@10.0.0.9:5070",
            null,
            -1,
            "flow-c",
            "node-a",
            "UDP",
            "10.0.0.9",
            5070,
            "call-c",
            1,
            1.0f,
            T0.plusSeconds(300),
            T0);
    await(
        storeA.apply(
            aor, new RegistrationChange.Update("call-c", 1, T0, List.of(written), List.of(), 10)));

    assertThat(await(storeB.lookup(aor))).containsExactly(written);
    assertThat(await(storeB.findByContact("sip:carol@10.0.0.9:5070"))).isEqualTo(written);
  }

  @Test
  void publicationsWrittenByOneMemberAreReadByAnother() {
    var docsA = new HazelcastPresenceDocuments(members.get(0), "node-a");
    var docsB = new HazelcastPresenceDocuments(members.get(1), "node-b");
    String presentity = "sip:dave@example.test";
    PresenceDocument doc = document(true);
    PublishOutcome outcome =
        await(
            docsA.apply(
                presentity,
                new PublicationChange.Create("etag-d", doc, T0.plusSeconds(600), T0, 4)));
    assertThat(outcome).isInstanceOf(PublishOutcome.Applied.class);

    assertThat(await(docsB.current(presentity, T0)))
        .containsExactly(new Publication(presentity, "etag-d", doc, T0.plusSeconds(600), T0));
    // The member that accepted it is remembered: its death takes the publication with it.
    assertThat(await(docsB.removeNode("node-a", T0))).containsExactly(presentity);
    assertThat(await(docsA.current(presentity, T0))).isEmpty();
  }

  @Test
  void expirySweepsSelectByTheEarliestExpiryFieldAndMissNothingDueAtTheNanosecond() {
    var clock = new ClusterTestSupport.MutableClock(T0);
    var store = new HazelcastLocationStore(members.get(0), "node-a", clock);
    var docs = new HazelcastPresenceDocuments(members.get(1), "node-b");
    String due = "sip:erin@example.test";
    String later = "sip:frank@example.test";
    Instant dueAt = T0.plusSeconds(10); // .123456789: the field holds the millisecond below
    for (String aor : List.of(due, later)) {
      Instant expires = aor.equals(due) ? dueAt : dueAt.plusNanos(1_000_000);
      Binding b =
          new Binding(
              aor,
              aor + ";x",
              null,
              -1,
              "f",
              "node-a",
              "UDP",
              "10.0.0.1",
              5060,
              "c",
              1,
              1.0f,
              expires,
              T0);
      await(store.apply(aor, new RegistrationChange.Update("c", 1, T0, List.of(b), List.of(), 10)));
      await(
          docs.apply(
              aor, new PublicationChange.Create("e-" + aor, document(false), expires, T0, 4)));
    }

    assertThat(await(store.purgeExpired(dueAt))).isEqualTo(1);
    assertThat(await(docs.purgeExpired(dueAt))).containsExactly(due);
    assertThat(await(docs.current(later, dueAt))).hasSize(1);
    // Read at T0, when neither had expired: the purge removed exactly the due one.
    assertThat(await(store.lookup(due))).isEmpty();
    assertThat(await(store.lookup(later))).hasSize(1);
  }
}
