package io.parley.cluster;

import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import io.parley.cluster.BindingProcessors.Applied;
import io.parley.cluster.BindingProcessors.ApplyChange;
import io.parley.cluster.BindingProcessors.ContactIndex;
import io.parley.cluster.BindingProcessors.IndexContact;
import io.parley.cluster.BindingProcessors.PurgeExpired;
import io.parley.cluster.BindingProcessors.Rejected;
import io.parley.cluster.BindingProcessors.RemoveFlow;
import io.parley.cluster.BindingProcessors.RemoveNode;
import io.parley.cluster.BindingProcessors.RemoveOrphans;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hazelcast Compact serializers for the registrar's and the credential cache's pool values and
 * entry processors. Java serialization of these records was ~11% of a REGISTER's CPU samples (class
 * descriptors and reflection on every read); Compact writes the fields only, against a schema kept
 * once per type. Type names are fixed strings, not class names, so a rename does not change the
 * wire format; any change of fields here is a new format (docs/cluster.md: members of different
 * formats must not share a pool).
 */
final class BindingSerializers {

  private BindingSerializers() {}

  /** Every serializer of this class, for {@code CompactSerializationConfig#setSerializers}. */
  static List<CompactSerializer<?>> all() {
    return List.of(
        new StoredBindingSerializer(),
        new AorBindingsSerializer(),
        new ContactIndexSerializer(),
        new CachedCredentialsSerializer(),
        new ApplyChangeSerializer(),
        new AppliedSerializer(),
        new RejectedSerializer(),
        new RemoveFlowSerializer(),
        new RemoveNodeSerializer(),
        new RemoveOrphansSerializer(),
        new PurgeExpiredSerializer(),
        new IndexContactSerializer());
  }

  /**
   * A top-level field of {@code AorBindings} holding its earliest binding expiry (epoch millis,
   * rounded down; {@code Long.MAX_VALUE} when none): the expiry sweep selects entries by it with a
   * predicate that reads this one field of the Compact data, instead of deserializing every AOR's
   * bindings. Never read back into the object.
   */
  static final String EARLIEST_EXPIRY = "earliestExpiryMs";

  // Instants travel as seconds and nanoseconds: exact, and no time zone to agree on.
  static void writeInstant(CompactWriter out, String name, Instant t) {
    out.writeInt64(name + "S", t.getEpochSecond());
    out.writeInt32(name + "N", t.getNano());
  }

  static Instant readInstant(CompactReader in, String name) {
    return Instant.ofEpochSecond(in.readInt64(name + "S"), in.readInt32(name + "N"));
  }

  static String[] strings(java.util.Collection<String> c) {
    return c.toArray(String[]::new);
  }

  static StoredBinding[] bindingArray(List<StoredBinding> list) {
    return list.toArray(StoredBinding[]::new);
  }

  static List<StoredBinding> bindingList(CompactReader in, String name) {
    StoredBinding[] a = in.readArrayOfCompact(name, StoredBinding.class);
    return List.of(a);
  }

  static final class StoredBindingSerializer implements CompactSerializer<StoredBinding> {
    @Override
    public StoredBinding read(CompactReader in) {
      return new StoredBinding(
          in.readString("aor"),
          in.readString("contactUri"),
          in.readString("instanceId"),
          in.readInt32("regId"),
          in.readString("flowId"),
          in.readString("nodeId"),
          in.readString("transport"),
          in.readString("remoteHost"),
          in.readInt32("remotePort"),
          in.readString("callId"),
          in.readInt64("cseq"),
          in.readFloat32("q"),
          readInstant(in, "expiresAt"),
          readInstant(in, "registeredAt"));
    }

    @Override
    public void write(CompactWriter out, StoredBinding b) {
      out.writeString("aor", b.aor());
      out.writeString("contactUri", b.contactUri());
      out.writeString("instanceId", b.instanceId());
      out.writeInt32("regId", b.regId());
      out.writeString("flowId", b.flowId());
      out.writeString("nodeId", b.nodeId());
      out.writeString("transport", b.transport());
      out.writeString("remoteHost", b.remoteHost());
      out.writeInt32("remotePort", b.remotePort());
      out.writeString("callId", b.callId());
      out.writeInt64("cseq", b.cseq());
      out.writeFloat32("q", b.q());
      writeInstant(out, "expiresAt", b.expiresAt());
      writeInstant(out, "registeredAt", b.registeredAt());
    }

    @Override
    public String getTypeName() {
      return "parley.StoredBinding";
    }

    @Override
    public Class<StoredBinding> getCompactClass() {
      return StoredBinding.class;
    }
  }

  static final class AorBindingsSerializer implements CompactSerializer<AorBindings> {
    @Override
    public AorBindings read(CompactReader in) {
      return new AorBindings(in.readInt64("version"), bindingList(in, "bindings"));
    }

    @Override
    public void write(CompactWriter out, AorBindings v) {
      out.writeInt64("version", v.version());
      out.writeArrayOfCompact("bindings", bindingArray(v.bindings()));
      long earliest = Long.MAX_VALUE;
      for (StoredBinding b : v.bindings()) {
        earliest = Math.min(earliest, b.expiresAt().toEpochMilli());
      }
      out.writeInt64(EARLIEST_EXPIRY, earliest);
    }

    @Override
    public String getTypeName() {
      return "parley.AorBindings";
    }

    @Override
    public Class<AorBindings> getCompactClass() {
      return AorBindings.class;
    }
  }

  static final class ContactIndexSerializer implements CompactSerializer<ContactIndex> {
    @Override
    public ContactIndex read(CompactReader in) {
      String[] aors = in.readArrayOfString("aors");
      long[] seconds = in.readArrayOfInt64("untilS");
      int[] nanos = in.readArrayOfInt32("untilN");
      Map<String, Instant> m = new HashMap<>();
      for (int i = 0; i < aors.length; i++) {
        m.put(aors[i], Instant.ofEpochSecond(seconds[i], nanos[i]));
      }
      return new ContactIndex(m);
    }

    @Override
    public void write(CompactWriter out, ContactIndex v) {
      int n = v.aors().size();
      String[] aors = new String[n];
      long[] seconds = new long[n];
      int[] nanos = new int[n];
      int i = 0;
      for (Map.Entry<String, Instant> e : v.aors().entrySet()) {
        aors[i] = e.getKey();
        seconds[i] = e.getValue().getEpochSecond();
        nanos[i] = e.getValue().getNano();
        i++;
      }
      out.writeArrayOfString("aors", aors);
      out.writeArrayOfInt64("untilS", seconds);
      out.writeArrayOfInt32("untilN", nanos);
    }

    @Override
    public String getTypeName() {
      return "parley.ContactIndex";
    }

    @Override
    public Class<ContactIndex> getCompactClass() {
      return ContactIndex.class;
    }
  }

  static final class CachedCredentialsSerializer implements CompactSerializer<CachedCredentials> {
    @Override
    public CachedCredentials read(CompactReader in) {
      return new CachedCredentials(
          in.readInt64("userId"),
          in.readString("sipUri"),
          in.readBoolean("enabled"),
          in.readString("ha1Md5"),
          in.readString("ha1Sha256"));
    }

    @Override
    public void write(CompactWriter out, CachedCredentials c) {
      out.writeInt64("userId", c.userId());
      out.writeString("sipUri", c.sipUri());
      out.writeBoolean("enabled", c.enabled());
      out.writeString("ha1Md5", c.ha1Md5());
      out.writeString("ha1Sha256", c.ha1Sha256());
    }

    @Override
    public String getTypeName() {
      return "parley.CachedCredentials";
    }

    @Override
    public Class<CachedCredentials> getCompactClass() {
      return CachedCredentials.class;
    }
  }

  static final class ApplyChangeSerializer implements CompactSerializer<ApplyChange> {
    @Override
    public ApplyChange read(CompactReader in) {
      return new ApplyChange(
          in.readBoolean("removeAll"),
          in.readString("callId"),
          in.readInt64("cseq"),
          readInstant(in, "now"),
          bindingList(in, "upserts"),
          bindingList(in, "removals"),
          in.readInt32("maxBindings"));
    }

    @Override
    public void write(CompactWriter out, ApplyChange p) {
      out.writeBoolean("removeAll", p.removeAll());
      out.writeString("callId", p.callId());
      out.writeInt64("cseq", p.cseq());
      writeInstant(out, "now", p.now());
      out.writeArrayOfCompact("upserts", bindingArray(p.upserts()));
      out.writeArrayOfCompact("removals", bindingArray(p.removals()));
      out.writeInt32("maxBindings", p.maxBindings());
    }

    @Override
    public String getTypeName() {
      return "parley.ApplyChange";
    }

    @Override
    public Class<ApplyChange> getCompactClass() {
      return ApplyChange.class;
    }
  }

  static final class AppliedSerializer implements CompactSerializer<Applied> {
    @Override
    public Applied read(CompactReader in) {
      return new Applied(in.readInt64("version"), bindingList(in, "bindings"));
    }

    @Override
    public void write(CompactWriter out, Applied a) {
      out.writeInt64("version", a.version());
      out.writeArrayOfCompact("bindings", bindingArray(a.bindings()));
    }

    @Override
    public String getTypeName() {
      return "parley.BindingsApplied";
    }

    @Override
    public Class<Applied> getCompactClass() {
      return Applied.class;
    }
  }

  static final class RejectedSerializer implements CompactSerializer<Rejected> {
    @Override
    public Rejected read(CompactReader in) {
      return new Rejected(in.readString("kindName"), in.readString("message"));
    }

    @Override
    public void write(CompactWriter out, Rejected r) {
      out.writeString("kindName", r.kindName());
      out.writeString("message", r.message());
    }

    @Override
    public String getTypeName() {
      return "parley.BindingsRejected";
    }

    @Override
    public Class<Rejected> getCompactClass() {
      return Rejected.class;
    }
  }

  static final class RemoveFlowSerializer implements CompactSerializer<RemoveFlow> {
    @Override
    public RemoveFlow read(CompactReader in) {
      return new RemoveFlow(in.readString("flowId"), readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, RemoveFlow p) {
      out.writeString("flowId", p.flowId());
      writeInstant(out, "now", p.now());
    }

    @Override
    public String getTypeName() {
      return "parley.RemoveFlow";
    }

    @Override
    public Class<RemoveFlow> getCompactClass() {
      return RemoveFlow.class;
    }
  }

  static final class RemoveNodeSerializer implements CompactSerializer<RemoveNode> {
    @Override
    public RemoveNode read(CompactReader in) {
      return new RemoveNode(in.readString("nodeId"), readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, RemoveNode p) {
      out.writeString("nodeId", p.nodeId());
      writeInstant(out, "now", p.now());
    }

    @Override
    public String getTypeName() {
      return "parley.RemoveNode";
    }

    @Override
    public Class<RemoveNode> getCompactClass() {
      return RemoveNode.class;
    }
  }

  static final class RemoveOrphansSerializer implements CompactSerializer<RemoveOrphans> {
    @Override
    public RemoveOrphans read(CompactReader in) {
      return new RemoveOrphans(
          Set.of(in.readArrayOfString("liveNodeIds")),
          readInstant(in, "writtenBefore"),
          readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, RemoveOrphans p) {
      out.writeArrayOfString("liveNodeIds", strings(p.liveNodeIds()));
      writeInstant(out, "writtenBefore", p.writtenBefore());
      writeInstant(out, "now", p.now());
    }

    @Override
    public String getTypeName() {
      return "parley.RemoveOrphans";
    }

    @Override
    public Class<RemoveOrphans> getCompactClass() {
      return RemoveOrphans.class;
    }
  }

  static final class PurgeExpiredSerializer implements CompactSerializer<PurgeExpired> {
    @Override
    public PurgeExpired read(CompactReader in) {
      return new PurgeExpired(readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, PurgeExpired p) {
      writeInstant(out, "now", p.now());
    }

    @Override
    public String getTypeName() {
      return "parley.PurgeExpired";
    }

    @Override
    public Class<PurgeExpired> getCompactClass() {
      return PurgeExpired.class;
    }
  }

  static final class IndexContactSerializer implements CompactSerializer<IndexContact> {
    @Override
    public IndexContact read(CompactReader in) {
      return new IndexContact(
          in.readString("aor"), readInstant(in, "expiresAt"), readInstant(in, "now"));
    }

    @Override
    public void write(CompactWriter out, IndexContact p) {
      out.writeString("aor", p.aor());
      writeInstant(out, "expiresAt", p.expiresAt());
      writeInstant(out, "now", p.now());
    }

    @Override
    public String getTypeName() {
      return "parley.IndexContact";
    }

    @Override
    public Class<IndexContact> getCompactClass() {
      return IndexContact.class;
    }
  }
}
