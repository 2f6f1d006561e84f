package io.parley.ops;

/**
 * Readiness as the node sees it, asked by {@code GET /health/ready} on an event loop: both methods
 * must be cheap and non-blocking (read a flag, never query the database or the cluster).
 */
public interface NodeHealth {

  /** True when the node serves SIP and is not draining: load balancers may send it clients. */
  boolean ready();

  /** Why {@link #ready()} is false, for operators, e.g. {@code "draining"}; any text when ready. */
  String notReadyReason();

  /** A fixed answer; for tests and for a node without a readiness notion. */
  static NodeHealth always(boolean ready, String reason) {
    return new NodeHealth() {
      @Override
      public boolean ready() {
        return ready;
      }

      @Override
      public String notReadyReason() {
        return reason;
      }
    };
  }
}
