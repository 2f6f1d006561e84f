package io.parley.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's members as Parley node ids (Hazelcast member attribute {@value
 * PoolCluster#NODE_ATTRIBUTE}). Listeners run on a Hazelcast event thread: keep them short and
 * non-blocking (start async work and return).
 */
public final class PoolMembership implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PoolMembership.class);

  private final HazelcastInstance hz;
  private final String selfNodeId;
  private final List<Consumer<String>> left = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> joined = new CopyOnWriteArrayList<>();
  private final UUID registration;

  public PoolMembership(HazelcastInstance hz) {
    this.hz = hz;
    String self = nodeIdOf(hz.getCluster().getLocalMember());
    if (self == null) {
      throw new IllegalStateException(
          "the local Hazelcast member has no " + PoolCluster.NODE_ATTRIBUTE + " attribute");
    }
    this.selfNodeId = self;
    this.registration =
        hz.getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent event) {
                    fire(joined, event.getMember(), "joined");
                  }

                  @Override
                  public void memberRemoved(MembershipEvent event) {
                    fire(left, event.getMember(), "left");
                  }
                });
  }

  /** Node ids of the live members, oldest first. */
  public Set<String> liveNodeIds() {
    Set<String> ids = new LinkedHashSet<>();
    for (Member m : hz.getCluster().getMembers()) {
      String id = nodeIdOf(m);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /**
   * True when this member is the oldest of the cluster (Hazelcast lists members oldest first and
   * every member agrees on the list), i.e. the one that runs pool-wide chores.
   */
  public boolean isOldest() {
    Iterator<Member> it = hz.getCluster().getMembers().iterator();
    return it.hasNext() && it.next().localMember();
  }

  public String selfNodeId() {
    return selfNodeId;
  }

  /** Calls {@code listener} with the node id of every member that leaves (or is declared dead). */
  public void onNodeLeft(Consumer<String> listener) {
    left.add(listener);
  }

  /** Calls {@code listener} with the node id of every member that joins. */
  public void onNodeJoined(Consumer<String> listener) {
    joined.add(listener);
  }

  @Override
  public void close() {
    try {
      hz.getCluster().removeMembershipListener(registration);
    } catch (RuntimeException e) {
      log.debug("membership listener already gone", e); // instance already shut down
    }
  }

  private static void fire(List<Consumer<String>> listeners, Member member, String what) {
    String nodeId = nodeIdOf(member);
    if (nodeId == null) {
      log.warn("member {} {} without a {} attribute", member, what, PoolCluster.NODE_ATTRIBUTE);
      return;
    }
    log.info("pool node {} {} ({})", nodeId, what, member.getAddress());
    for (Consumer<String> listener : listeners) {
      try {
        listener.accept(nodeId);
      } catch (RuntimeException e) {
        log.warn("membership listener failed for node {} {}", nodeId, what, e);
      }
    }
  }

  static @Nullable String nodeIdOf(Member member) {
    return member.getAttribute(PoolCluster.NODE_ATTRIBUTE);
  }
}
