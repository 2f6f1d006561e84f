package io.parley.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * After a split heals, a contact's index entry lists the AORs either side knew (latest expiry
 * wins): the index must stay a superset of the merged bindings' contacts.
 */
public final class ContactsMergePolicy
    implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

  public ContactsMergePolicy() {}

  @Override
  public @Nullable Object merge(
      MergingValue<Object> merging, @Nullable MergingValue<Object> existing) {
    if (existing == null || existing.getValue() == null) {
      return merging.getRawValue();
    }
    if (!(merging.getValue() instanceof BindingProcessors.ContactIndex in)
        || !(existing.getValue() instanceof BindingProcessors.ContactIndex here)) {
      return existing.getRawValue();
    }
    Map<String, Instant> union = new HashMap<>(here.aors());
    in.aors().forEach((aor, until) -> union.merge(aor, until, (a, b) -> a.isAfter(b) ? a : b));
    return new BindingProcessors.ContactIndex(union);
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
