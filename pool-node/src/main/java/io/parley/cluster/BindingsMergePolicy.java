package io.parley.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.spi.merge.MergingValue;
import com.hazelcast.spi.merge.SplitBrainMergePolicy;
import java.util.LinkedHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * After a split heals, an AOR's bindings are the union of both sides' (same binding key: the one
 * written later wins). Both halves may have accepted REGISTERs from different devices of one user;
 * keeping either side whole would silently unregister the other's devices. The price: a binding
 * removed on one side only comes back until it expires or its flow's node cleans it up.
 */
public final class BindingsMergePolicy
    implements SplitBrainMergePolicy<Object, MergingValue<Object>, Object> {

  public BindingsMergePolicy() {}

  @Override
  public @Nullable Object merge(
      MergingValue<Object> merging, @Nullable MergingValue<Object> existing) {
    if (existing == null || existing.getValue() == null) {
      return merging.getRawValue();
    }
    if (!(merging.getValue() instanceof AorBindings in)
        || !(existing.getValue() instanceof AorBindings here)) {
      return existing.getRawValue();
    }
    return union(here, in);
  }

  static AorBindings union(AorBindings here, AorBindings in) {
    LinkedHashMap<String, StoredBinding> byKey = new LinkedHashMap<>();
    for (StoredBinding b : here.bindings()) {
      byKey.put(BindingProcessors.key(b), b);
    }
    for (StoredBinding b : in.bindings()) {
      byKey.merge(
          BindingProcessors.key(b),
          b,
          (old, neu) -> neu.registeredAt().isAfter(old.registeredAt()) ? neu : old);
    }
    return new AorBindings(Math.max(here.version(), in.version()) + 1, List.copyOf(byKey.values()));
  }

  @Override
  public void writeData(ObjectDataOutput out) {}

  @Override
  public void readData(ObjectDataInput in) {}
}
