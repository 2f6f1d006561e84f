package io.parley.app;

/**
 * Names of the virtual flows that link pool members (carried by the clustered event bus). A request
 * on such a flow comes from another member, which authenticated the sender already: it is trusted
 * and never challenged.
 */
public final class PoolPeers {

  /** Flow ids of pool links start with this, followed by the peer's node id. */
  public static final String FLOW_PREFIX = "pool/";

  private PoolPeers() {}

  /** True when the flow id names a link to another pool member. */
  public static boolean isPoolFlow(String flowId) {
    return flowId.startsWith(FLOW_PREFIX);
  }

  /** The flow id of the link to a member. */
  public static String flowId(String nodeId) {
    return FLOW_PREFIX + nodeId;
  }

  /** The node id a pool flow id names. */
  public static String nodeOf(String poolFlowId) {
    return poolFlowId.substring(FLOW_PREFIX.length());
  }
}
