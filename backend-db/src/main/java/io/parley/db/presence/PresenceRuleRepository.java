package io.parley.db.presence;

import static io.parley.db.generated.Tables.PRESENCE_RULES;

import io.parley.db.PgText;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Presence authorization rules (table {@code presence_rules}). Watcher AORs are stored lower-case
 * so a lookup matches however the SUBSCRIBE spelled them.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop.
 */
public final class PresenceRuleRepository {

  private static final int MAX_URI = 400;

  private final DSLContext dsl;

  public PresenceRuleRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** The rule {@code presentity} set for {@code watcher}, if any. */
  public Optional<PresenceAction> find(String presentity, String watcher) {
    if (!PgText.storable(presentity, watcher)) {
      return Optional.empty();
    }
    return dsl.select(PRESENCE_RULES.ACTION)
        .from(PRESENCE_RULES)
        .where(PRESENCE_RULES.PRESENTITY.eq(checked(presentity)))
        .and(PRESENCE_RULES.WATCHER.eq(lower(watcher)))
        .fetchOptional(PRESENCE_RULES.ACTION)
        .map(PresenceAction::ofColumn);
  }

  /**
   * Sets (inserts or replaces) the rule. Fails with a jOOQ {@code DataAccessException} when the
   * presentity is not a provisioned user (foreign key).
   */
  public void put(String presentity, String watcher, PresenceAction action) {
    dsl.insertInto(PRESENCE_RULES)
        .set(PRESENCE_RULES.PRESENTITY, checked(presentity))
        .set(PRESENCE_RULES.WATCHER, lower(watcher))
        .set(PRESENCE_RULES.ACTION, action.column())
        .onConflict(PRESENCE_RULES.PRESENTITY, PRESENCE_RULES.WATCHER)
        .doUpdate()
        .set(PRESENCE_RULES.ACTION, action.column())
        .set(PRESENCE_RULES.UPDATED_AT, DSL.currentOffsetDateTime())
        .execute();
  }

  /** Removes the rule; true if there was one. */
  public boolean delete(String presentity, String watcher) {
    if (!PgText.storable(presentity, watcher)) {
      return false;
    }
    return dsl.deleteFrom(PRESENCE_RULES)
            .where(PRESENCE_RULES.PRESENTITY.eq(checked(presentity)))
            .and(PRESENCE_RULES.WATCHER.eq(lower(watcher)))
            .execute()
        > 0;
  }

  /** Every rule of {@code presentity}, ordered by watcher. */
  public List<PresenceRule> rulesOf(String presentity) {
    if (!PgText.storable(presentity)) {
      return List.of();
    }
    return dsl.select(PRESENCE_RULES.WATCHER, PRESENCE_RULES.ACTION)
        .from(PRESENCE_RULES)
        .where(PRESENCE_RULES.PRESENTITY.eq(checked(presentity)))
        .orderBy(PRESENCE_RULES.WATCHER)
        .fetch(r -> new PresenceRule(presentity, r.value1(), PresenceAction.ofColumn(r.value2())));
  }

  private static String lower(String uri) {
    return checked(uri).toLowerCase(Locale.ROOT);
  }

  private static String checked(String uri) {
    if (uri.isEmpty() || uri.length() > MAX_URI) {
      throw new IllegalArgumentException("URI must be 1.." + MAX_URI + " characters");
    }
    return PgText.requireStorable(uri, "URI");
  }
}
