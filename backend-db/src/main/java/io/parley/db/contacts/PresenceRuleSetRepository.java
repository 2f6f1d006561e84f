package io.parley.db.contacts;

import io.parley.db.presence.PresenceAction;
import io.parley.db.presence.PresenceRule;
import io.parley.db.presence.PresenceRuleRepository;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;

/**
 * A presentity's presence rules as one document (XCAP pres-rules): read all of them, or replace all
 * of them atomically. The rows are those of {@link PresenceRuleRepository} ({@code
 * presence_rules}), so what is stored here is exactly what presence authorization decides on.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop.
 */
public final class PresenceRuleSetRepository {

  private final DSLContext dsl;

  public PresenceRuleSetRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** Every rule of {@code presentity}: watcher (lower-case) → action, ordered by watcher. */
  public Map<String, PresenceAction> rules(String presentity) {
    return toMap(new PresenceRuleRepository(dsl), presentity);
  }

  /**
   * Replaces the presentity's rules by {@code change(current)} in one transaction holding the
   * presentity's {@code users} row lock. An exception thrown by {@code change} rolls back and
   * propagates.
   *
   * @return the watchers whose rule was added, changed or removed (lower-case)
   * @throws NoSuchElementException if {@code presentity} is no provisioned user
   */
  public Set<String> update(String presentity, UnaryOperator<Map<String, PresenceAction>> change) {
    return dsl.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          ContactListRepository.lockOwner(tx, presentity);
          PresenceRuleRepository repo = new PresenceRuleRepository(tx);
          Map<String, PresenceAction> before = toMap(repo, presentity);
          Map<String, PresenceAction> after = new LinkedHashMap<>();
          change
              .apply(Map.copyOf(before))
              .forEach((w, a) -> after.put(w.toLowerCase(Locale.ROOT), a));
          Set<String> changed = new TreeSet<>();
          for (String w : before.keySet()) {
            if (!after.containsKey(w)) {
              repo.delete(presentity, w);
              changed.add(w);
            }
          }
          after.forEach(
              (w, a) -> {
                if (!Objects.equals(before.get(w), a)) {
                  repo.put(presentity, w, a);
                  changed.add(w);
                }
              });
          return changed;
        });
  }

  private static Map<String, PresenceAction> toMap(PresenceRuleRepository repo, String presentity) {
    Map<String, PresenceAction> out = new LinkedHashMap<>();
    for (PresenceRule r : repo.rulesOf(presentity)) {
      out.put(r.watcher(), r.action());
    }
    return out;
  }
}
