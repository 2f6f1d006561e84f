package io.parley.cluster;

import static io.parley.cluster.BindingSerializers.readInstant;
import static io.parley.cluster.BindingSerializers.strings;
import static io.parley.cluster.BindingSerializers.writeInstant;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
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
import java.util.LinkedHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hazelcast Compact serializers for the pool's publications ({@code parley.presence}), the PUBLISH
 * entry processors and their outcomes: the same reasons and rules as {@link BindingSerializers}.
 * The presence records stay plain records; their wire form lives here.
 */
final class PresenceSerializers {

  private PresenceSerializers() {}

  /** Every serializer of this class, for {@code CompactSerializationConfig#setSerializers}. */
  static List<CompactSerializer<?>> all() {
    return List.of(
        new PublicationsSerializer(),
        new PublicationSerializer(),
        new DocumentSerializer(),
        new TupleSerializer(),
        new PersonSerializer(),
        new ApplySerializer(),
        new DropSerializer(),
        new CreateSerializer(),
        new RefreshSerializer(),
        new ModifySerializer(),
        new RemoveSerializer(),
        new AppliedSerializer(),
        new SnapshotSerializer(),
        new UnknownEtagSerializer(),
        new TooManyPublicationsSerializer());
  }

  /** Type name and class given once per serializer. */
  private abstract static class Base<T> implements CompactSerializer<T> {
    private final String typeName;
    private final Class<T> type;

    Base(String typeName, Class<T> type) {
      this.typeName = typeName;
      this.type = type;
    }

    @Override
    public String getTypeName() {
      return typeName;
    }

    @Override
    public Class<T> getCompactClass() {
      return type;
    }
  }

  static final class PublicationsSerializer extends Base<Publications> {
    PublicationsSerializer() {
      super("parley.Publications", Publications.class);
    }

    @Override
    public Publications read(CompactReader in) {
      Publication[] pubs = in.readArrayOfCompact("publications", Publication.class);
      String[] etags = in.readArrayOfString("nodeEtags");
      String[] nodes = in.readArrayOfString("nodes");
      LinkedHashMap<String, Publication> byEtag = new LinkedHashMap<>();
      for (Publication p : pubs) {
        byEtag.put(p.etag(), p);
      }
      LinkedHashMap<String, String> nodeByEtag = new LinkedHashMap<>();
      for (int i = 0; i < etags.length; i++) {
        nodeByEtag.put(etags[i], nodes[i]);
      }
      Publications p = new Publications(byEtag, nodeByEtag);
      p.version = in.readInt64("version");
      return p;
    }

    @Override
    public void write(CompactWriter out, Publications p) {
      // byEtag is keyed by each publication's own ETag (applyTo keeps it so), so the values say it.
      out.writeArrayOfCompact("publications", p.byEtag.values().toArray(Publication[]::new));
      out.writeArrayOfString("nodeEtags", strings(p.nodeByEtag.keySet()));
      out.writeArrayOfString("nodes", strings(p.nodeByEtag.values()));
      out.writeInt64("version", p.version);
      out.writeInt64(EARLIEST_EXPIRY, earliestExpiryMillis(p.byEtag.values()));
    }
  }

  /**
   * A top-level field holding the earliest expiry of the entry's publications (epoch millis,
   * rounded down; {@code Long.MAX_VALUE} when none): the periodic purge selects entries by it with
   * a predicate, which reads this one field of the Compact data instead of deserializing every
   * presentity's publications every few seconds. Never read back into the object.
   */
  static final String EARLIEST_EXPIRY = "earliestExpiryMs";

  static long earliestExpiryMillis(Iterable<Publication> pubs) {
    long earliest = Long.MAX_VALUE;
    for (Publication p : pubs) {
      earliest = Math.min(earliest, p.expiresAt().toEpochMilli());
    }
    return earliest;
  }

  static final class PublicationSerializer extends Base<Publication> {
    PublicationSerializer() {
      super("parley.Publication", Publication.class);
    }

    @Override
    public Publication read(CompactReader in) {
      return new Publication(
          in.readString("presentity"),
          in.readString("etag"),
          in.readCompact("document"),
          readInstant(in, "expiresAt"),
          readInstant(in, "publishedAt"));
    }

    @Override
    public void write(CompactWriter out, Publication p) {
      out.writeString("presentity", p.presentity());
      out.writeString("etag", p.etag());
      out.writeCompact("document", p.document());
      writeInstant(out, "expiresAt", p.expiresAt());
      writeInstant(out, "publishedAt", p.publishedAt());
    }
  }

  static final class DocumentSerializer extends Base<PresenceDocument> {
    DocumentSerializer() {
      super("parley.PresenceDocument", PresenceDocument.class);
    }

    @Override
    public PresenceDocument read(CompactReader in) {
      return new PresenceDocument(
          in.readString("entity"),
          List.of(in.readArrayOfCompact("tuples", Tuple.class)),
          in.readCompact("person"),
          List.of(in.readArrayOfString("notes")));
    }

    @Override
    public void write(CompactWriter out, PresenceDocument d) {
      out.writeString("entity", d.entity());
      out.writeArrayOfCompact("tuples", d.tuples().toArray(Tuple[]::new));
      out.writeCompact("person", d.person());
      out.writeArrayOfString("notes", strings(d.notes()));
    }
  }

  static final class TupleSerializer extends Base<Tuple> {
    TupleSerializer() {
      super("parley.Tuple", Tuple.class);
    }

    @Override
    public Tuple read(CompactReader in) {
      @Nullable String basic = in.readString("basic");
      return new Tuple(
          in.readString("id"),
          basic == null ? null : Basic.valueOf(basic),
          in.readString("contact"),
          List.of(in.readArrayOfString("notes")));
    }

    @Override
    public void write(CompactWriter out, Tuple t) {
      out.writeString("id", t.id());
      out.writeString("basic", t.basic() == null ? null : t.basic().name());
      out.writeString("contact", t.contact());
      out.writeArrayOfString("notes", strings(t.notes()));
    }
  }

  static final class PersonSerializer extends Base<Person> {
    PersonSerializer() {
      super("parley.Person", Person.class);
    }

    @Override
    public Person read(CompactReader in) {
      return new Person(
          List.of(in.readArrayOfString("activities")), List.of(in.readArrayOfString("notes")));
    }

    @Override
    public void write(CompactWriter out, Person p) {
      out.writeArrayOfString("activities", strings(p.activities()));
      out.writeArrayOfString("notes", strings(p.notes()));
    }
  }

  static final class ApplySerializer extends Base<Apply> {
    ApplySerializer() {
      super("parley.PublishApply", Apply.class);
    }

    @Override
    public Apply read(CompactReader in) {
      return new Apply(in.readCompact("change"), in.readString("nodeId"));
    }

    @Override
    public void write(CompactWriter out, Apply a) {
      out.writeCompact("change", a.change());
      out.writeString("nodeId", a.nodeId());
    }
  }

  static final class DropSerializer extends Base<Drop> {
    DropSerializer() {
      super("parley.PublishDrop", Drop.class);
    }

    @Override
    public Drop read(CompactReader in) {
      return new Drop(readInstant(in, "now"), in.readString("deadNode"));
    }

    @Override
    public void write(CompactWriter out, Drop d) {
      writeInstant(out, "now", d.now());
      out.writeString("deadNode", d.deadNode());
    }
  }

  static final class CreateSerializer extends Base<PublicationChange.Create> {
    CreateSerializer() {
      super("parley.PublishCreate", PublicationChange.Create.class);
    }

    @Override
    public PublicationChange.Create read(CompactReader in) {
      return new PublicationChange.Create(
          in.readString("newEtag"),
          in.readCompact("document"),
          readInstant(in, "expiresAt"),
          readInstant(in, "now"),
          in.readInt32("maxPublications"));
    }

    @Override
    public void write(CompactWriter out, PublicationChange.Create c) {
      out.writeString("newEtag", c.newEtag());
      out.writeCompact("document", c.document());
      writeInstant(out, "expiresAt", c.expiresAt());
      writeInstant(out, "now", c.now());
      out.writeInt32("maxPublications", c.maxPublications());
    }
  }

  static final class RefreshSerializer extends Base<PublicationChange.Refresh> {
    RefreshSerializer() {
      super("parley.PublishRefresh", PublicationChange.Refresh.class);
    }

    @Override
    public PublicationChange.Refresh read(CompactReader in) {
      return new PublicationChange.Refresh(
          in.readString("etag"),
          in.readString("newEtag"),
          readInstant(in, "expiresAt"),
          readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, PublicationChange.Refresh c) {
      out.writeString("etag", c.etag());
      out.writeString("newEtag", c.newEtag());
      writeInstant(out, "expiresAt", c.expiresAt());
      writeInstant(out, "now", c.now());
    }
  }

  static final class ModifySerializer extends Base<PublicationChange.Modify> {
    ModifySerializer() {
      super("parley.PublishModify", PublicationChange.Modify.class);
    }

    @Override
    public PublicationChange.Modify read(CompactReader in) {
      return new PublicationChange.Modify(
          in.readString("etag"),
          in.readString("newEtag"),
          in.readCompact("document"),
          readInstant(in, "expiresAt"),
          readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, PublicationChange.Modify c) {
      out.writeString("etag", c.etag());
      out.writeString("newEtag", c.newEtag());
      out.writeCompact("document", c.document());
      writeInstant(out, "expiresAt", c.expiresAt());
      writeInstant(out, "now", c.now());
    }
  }

  static final class RemoveSerializer extends Base<PublicationChange.Remove> {
    RemoveSerializer() {
      super("parley.PublishRemove", PublicationChange.Remove.class);
    }

    @Override
    public PublicationChange.Remove read(CompactReader in) {
      return new PublicationChange.Remove(in.readString("etag"), readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, PublicationChange.Remove c) {
      out.writeString("etag", c.etag());
      writeInstant(out, "now", c.now());
    }
  }

  static final class AppliedSerializer extends Base<PublishOutcome.Applied> {
    AppliedSerializer() {
      super("parley.PublishApplied", PublishOutcome.Applied.class);
    }

    @Override
    public PublishOutcome.Applied read(CompactReader in) {
      return new PublishOutcome.Applied(
          in.readCompact("publication"), in.readBoolean("viewChanged"), in.readCompact("after"));
    }

    @Override
    public void write(CompactWriter out, PublishOutcome.Applied a) {
      out.writeCompact("publication", a.publication());
      out.writeBoolean("viewChanged", a.viewChanged());
      out.writeCompact("after", a.after());
    }
  }

  static final class SnapshotSerializer extends Base<PublishOutcome.Snapshot> {
    SnapshotSerializer() {
      super("parley.PublishSnapshot", PublishOutcome.Snapshot.class);
    }

    @Override
    public PublishOutcome.Snapshot read(CompactReader in) {
      return new PublishOutcome.Snapshot(
          in.readInt64("version"),
          List.of(in.readArrayOfCompact("publications", Publication.class)));
    }

    @Override
    public void write(CompactWriter out, PublishOutcome.Snapshot s) {
      out.writeInt64("version", s.version());
      out.writeArrayOfCompact("publications", s.publications().toArray(Publication[]::new));
    }
  }

  static final class UnknownEtagSerializer extends Base<PublishOutcome.UnknownEtag> {
    UnknownEtagSerializer() {
      super("parley.PublishUnknownEtag", PublishOutcome.UnknownEtag.class);
    }

    @Override
    public PublishOutcome.UnknownEtag read(CompactReader in) {
      return new PublishOutcome.UnknownEtag();
    }

    @Override
    public void write(CompactWriter out, PublishOutcome.UnknownEtag u) {}
  }

  static final class TooManyPublicationsSerializer
      extends Base<PublishOutcome.TooManyPublications> {
    TooManyPublicationsSerializer() {
      super("parley.PublishTooManyPublications", PublishOutcome.TooManyPublications.class);
    }

    @Override
    public PublishOutcome.TooManyPublications read(CompactReader in) {
      return new PublishOutcome.TooManyPublications();
    }

    @Override
    public void write(CompactWriter out, PublishOutcome.TooManyPublications t) {}
  }
}
