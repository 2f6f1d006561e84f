package io.parley.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which AORs hold bindings on each of this node's flows, so closing a connection touches only those
 * AORs instead of scanning the pool. Fed with the versioned results of entry processors. The one
 * thing it must never do is forget an AOR that still has a binding on one of our flows (a stale
 * extra AOR only costs a no-op processor). So a result newer than the one recorded replaces the
 * AOR's flows, and any other result (a late older one, or one after the AOR's entry was deleted and
 * its version restarted) only adds flows. One lock: every operation is O(flows of one AOR).
 */
final class LocalFlowIndex {

  private record Tracked(long version, Set<String> flows) {}

  private final Object lock = new Object();
  private final Map<String, Tracked> byAor = new HashMap<>();
  private final Map<String, Set<String>> aorsByFlow = new HashMap<>();

  /** The AOR is at {@code version} and holds bindings on these flows of ours. */
  void update(String aor, long version, Set<String> ourFlows) {
    synchronized (lock) {
      Tracked old = byAor.get(aor);
      Set<String> flows;
      long recorded;
      if (old == null || version > old.version()) {
        flows = ourFlows;
        recorded = version;
      } else {
        flows = new HashSet<>(old.flows());
        flows.addAll(ourFlows);
        recorded = old.version();
      }
      if (old != null) {
        for (String flow : old.flows()) {
          unindex(flow, aor);
        }
      }
      if (flows.isEmpty()) {
        // Forgetting is safe: a late older result can only re-add a stale AOR, never hide one.
        byAor.remove(aor);
        return;
      }
      byAor.put(aor, new Tracked(recorded, Set.copyOf(flows)));
      for (String flow : flows) {
        aorsByFlow.computeIfAbsent(flow, f -> new HashSet<>()).add(aor);
      }
    }
  }

  List<String> aorsOf(String flowId) {
    synchronized (lock) {
      Set<String> aors = aorsByFlow.get(flowId);
      return aors == null ? List.of() : List.copyOf(aors);
    }
  }

  /** The flow is closed and its bindings removed: drop what a race may have left behind. */
  void forgetFlow(String flowId) {
    synchronized (lock) {
      aorsByFlow.remove(flowId);
    }
  }

  /** Forgets everything (our node's bindings were all removed). */
  void clear() {
    synchronized (lock) {
      byAor.clear();
      aorsByFlow.clear();
    }
  }

  int trackedAors() {
    synchronized (lock) {
      return byAor.size();
    }
  }

  private void unindex(String flow, String aor) {
    Set<String> aors = aorsByFlow.get(flow);
    if (aors != null) {
      aors.remove(aor);
      if (aors.isEmpty()) {
        aorsByFlow.remove(flow);
      }
    }
  }
}
