package io.parley.cluster;

import io.vertx.core.Future;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes a departed node's bindings: its flows died with it, and requests routed to them would
 * time out. The oldest surviving member does it (every member sees the departure; one scan is
 * enough). If a node id that left is still live, a new incarnation of that node has already
 * rejoined and its fresh bindings must stay. {@link #sweepOrphans()} catches what a lost cleanup
 * left. At construction this node also removes bindings left by its own previous incarnation:
 * construct it before the SIP listeners open, and wait for {@link #started()}.
 */
public final class NodeLossCleanup {

  private static final Logger log = LoggerFactory.getLogger(NodeLossCleanup.class);

  /** Bindings younger than this are never orphans: their node may have just joined. */
  static final Duration ORPHAN_GRACE = Duration.ofMinutes(2);

  private final PoolMembership membership;
  private final HazelcastLocationStore store;
  private final Future<Integer> started;

  public NodeLossCleanup(PoolMembership membership, HazelcastLocationStore store) {
    this.membership = membership;
    this.store = store;
    membership.onNodeLeft(this::nodeLeft);
    this.started =
        store
            .removeNode(membership.selfNodeId())
            .onSuccess(
                n -> {
                  if (n > 0) {
                    log.info("removed {} bindings of this node's previous incarnation", n);
                  }
                });
  }

  /**
   * Completes when the bindings of this node's previous incarnation are gone (with their count).
   */
  public Future<Integer> started() {
    return started;
  }

  /**
   * Removes bindings of nodes that are not live and were written over two minutes ago: the safety
   * net when a departure's cleanup was lost (the oldest member died during its scan). Schedule it
   * with {@link SingletonJobs}, e.g. every minute; it scans the whole map.
   */
  public Future<Integer> sweepOrphans() {
    return store
        .removeNodesOtherThan(membership.liveNodeIds(), ORPHAN_GRACE)
        .onSuccess(
            n -> {
              if (n > 0) {
                log.info("removed {} bindings of nodes no longer in the pool", n);
              }
            });
  }

  private void nodeLeft(String nodeId) {
    if (!membership.isOldest()) {
      return;
    }
    if (membership.liveNodeIds().contains(nodeId)) {
      log.info("node {} left but a new incarnation is live; keeping its bindings", nodeId);
      return;
    }
    store
        .removeNode(nodeId)
        .onSuccess(n -> log.info("node {} left the pool: removed its {} bindings", nodeId, n))
        .onFailure(e -> log.warn("could not remove the bindings of departed node {}", nodeId, e));
  }
}
