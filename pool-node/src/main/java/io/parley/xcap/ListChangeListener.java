package io.parley.xcap;

/**
 * Told after an XCAP edit changed a user's resource-lists document, so presence re-reads the
 * members of that user's list subscriptions. The composition root wires it to {@code
 * PresenceEvents.publish(new PresenceEvent.ListsChanged(owner))}, which reaches every pool member.
 */
@FunctionalInterface
public interface ListChangeListener {

  /**
   * @param owner the canonical AOR whose resource-lists document changed
   */
  void listsChanged(String owner);

  /** Nobody listens (tests of the XCAP server alone). */
  static ListChangeListener none() {
    return owner -> {};
  }
}
