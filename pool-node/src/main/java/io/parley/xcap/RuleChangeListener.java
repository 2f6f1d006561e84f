package io.parley.xcap;

/**
 * Told after an XCAP edit changed a presentity's rule for a watcher, so presence re-decides that
 * watcher's subscriptions. The composition root wires it to {@code PresenceEvents.publish(new
 * PresenceEvent.RulesChanged(presentity, watcher))} — the same path {@code
 * DatabasePresenceRules.setRule} takes.
 */
@FunctionalInterface
public interface RuleChangeListener {

  /**
   * @param presentity the canonical AOR whose rules changed
   * @param watcher the watcher's canonical (lower-case) AOR
   */
  void ruleChanged(String presentity, String watcher);
}
