package io.parley.ops;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A ready-made {@link NodeHealth} the composition root flips as the node starts and stops. Starts
 * not ready ({@code "starting"}); {@link #markDraining()} is final, so a node that began to drain
 * never turns ready again. Thread-safe.
 */
public final class ReadinessState implements NodeHealth {

  static final String READY = "";
  static final String DRAINING = "draining";

  private final AtomicReference<String> reason = new AtomicReference<>("starting");

  /** The node serves SIP: listeners bound, pool joined. Ignored once draining. */
  public void markReady() {
    reason.getAndUpdate(r -> r.equals(DRAINING) ? r : READY);
  }

  /**
   * The node cannot take clients for now, e.g. {@code "pool quorum lost"}. Ignored once draining.
   */
  public void markNotReady(String why) {
    String r = why.isBlank() ? "not ready" : why;
    reason.getAndUpdate(current -> current.equals(DRAINING) ? current : r);
  }

  /** The node is leaving: not ready for good. */
  public void markDraining() {
    reason.set(DRAINING);
  }

  public boolean draining() {
    return reason.get().equals(DRAINING);
  }

  @Override
  public boolean ready() {
    return reason.get().equals(READY);
  }

  @Override
  public String notReadyReason() {
    String r = reason.get();
    return r.equals(READY) ? "ready" : r;
  }
}
