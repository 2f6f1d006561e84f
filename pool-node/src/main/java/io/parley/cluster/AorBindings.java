package io.parley.cluster;

import io.parley.registrar.Binding;
import java.io.Serial;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of one AOR in {@code parley.bindings}: its bindings in registration order and a version
 * that grows with every write (node-local indexes use it to ignore out-of-order results).
 */
record AorBindings(long version, List<StoredBinding> bindings) implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  AorBindings {
    bindings = List.copyOf(bindings);
  }

  /** The bindings unexpired at {@code now}, as the registrar sees them. */
  List<Binding> live(Instant now) {
    List<Binding> out = new ArrayList<>(bindings.size());
    for (StoredBinding b : bindings) {
      if (!b.expired(now)) {
        out.add(b.toBinding());
      }
    }
    return List.copyOf(out);
  }

  /** The latest expiry of any binding (the entry's time to live is derived from it). */
  Instant latestExpiry() {
    Instant latest = Instant.MIN;
    for (StoredBinding b : bindings) {
      if (b.expiresAt().isAfter(latest)) {
        latest = b.expiresAt();
      }
    }
    return latest;
  }
}
