package io.parley.db.contacts;

import static io.parley.db.generated.Tables.CONTACT_ENTRIES;
import static io.parley.db.generated.Tables.CONTACT_GROUPS;
import static io.parley.db.generated.Tables.CONTACT_LISTS;
import static io.parley.db.generated.Tables.USERS;

import io.parley.db.PgText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The contact list of each user (tables {@code contact_lists}, {@code contact_groups}, {@code
 * contact_entries}). A user has no list until one is stored; an empty list is a list.
 *
 * <p>Writes go through {@link #update}: a read-modify-write in one transaction that holds the
 * owner's {@code users} row lock, so concurrent edits of one list (from several nodes too) are
 * serialised and a precondition checked inside {@code change} (an XCAP If-Match) stays true until
 * the commit.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop.
 */
public final class ContactListRepository {

  private final DSLContext dsl;

  public ContactListRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** The owner's list (groups and entries in stored order), empty if none is stored. */
  public Optional<List<ContactGroup>> find(String owner) {
    return read(dsl, owner);
  }

  /**
   * Replaces the owner's list by {@code change(current)} atomically: {@code Optional.empty()} as
   * result deletes the list. An exception thrown by {@code change} rolls back and propagates.
   *
   * @return the list now stored
   * @throws NoSuchElementException if {@code owner} is no provisioned user
   * @throws IllegalArgumentException if the new list repeats a group name or a URI within a group
   */
  public Optional<List<ContactGroup>> update(
      String owner, UnaryOperator<Optional<List<ContactGroup>>> change) {
    return dsl.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          lockOwner(tx, owner);
          Optional<List<ContactGroup>> next = change.apply(read(tx, owner));
          tx.deleteFrom(CONTACT_LISTS).where(CONTACT_LISTS.OWNER.eq(owner)).execute();
          if (next.isPresent()) {
            write(tx, owner, next.get());
          }
          return next;
        });
  }

  /** Stores {@code groups} as the owner's list. */
  public void replace(String owner, List<ContactGroup> groups) {
    update(owner, current -> Optional.of(groups));
  }

  /** Deletes the owner's list; true if there was one. */
  public boolean delete(String owner) {
    if (!PgText.storable(owner)) {
      return false;
    }
    return dsl.deleteFrom(CONTACT_LISTS).where(CONTACT_LISTS.OWNER.eq(owner)).execute() > 0;
  }

  /** Locks the owner's user row (serialises writers); fails if there is none. */
  static void lockOwner(DSLContext tx, String owner) {
    if (!PgText.storable(owner)
        || tx.select(USERS.ID)
            .from(USERS)
            .where(USERS.SIP_URI.eq(owner))
            .forUpdate()
            .fetchOptional()
            .isEmpty()) {
      throw new NoSuchElementException("no user " + owner);
    }
  }

  private static Optional<List<ContactGroup>> read(DSLContext q, String owner) {
    if (!PgText.storable(owner) || !q.fetchExists(CONTACT_LISTS, CONTACT_LISTS.OWNER.eq(owner))) {
      return Optional.empty();
    }
    Map<Long, String[]> groups = new LinkedHashMap<>();
    q.select(CONTACT_GROUPS.ID, CONTACT_GROUPS.NAME, CONTACT_GROUPS.DISPLAY_NAME)
        .from(CONTACT_GROUPS)
        .where(CONTACT_GROUPS.OWNER.eq(owner))
        .orderBy(CONTACT_GROUPS.POSITION)
        .forEach(r -> groups.put(r.value1(), new String[] {r.value2(), r.value3()}));
    Map<Long, List<ContactEntry>> entries = new LinkedHashMap<>();
    q.select(CONTACT_ENTRIES.GROUP_ID, CONTACT_ENTRIES.URI, CONTACT_ENTRIES.DISPLAY_NAME)
        .from(CONTACT_ENTRIES)
        .where(CONTACT_ENTRIES.OWNER.eq(owner))
        .orderBy(CONTACT_ENTRIES.GROUP_ID, CONTACT_ENTRIES.POSITION)
        .forEach(
            r ->
                entries
                    .computeIfAbsent(r.value1(), k -> new ArrayList<>())
                    .add(new ContactEntry(r.value2(), r.value3())));
    List<ContactGroup> out = new ArrayList<>();
    groups.forEach(
        (id, g) -> out.add(new ContactGroup(g[0], g[1], entries.getOrDefault(id, List.of()))));
    return Optional.of(List.copyOf(out));
  }

  private static void write(DSLContext tx, String owner, List<ContactGroup> groups) {
    Set<String> names = new HashSet<>();
    for (ContactGroup g : groups) {
      if (!names.add(g.name())) {
        throw new IllegalArgumentException("group name repeated: " + g.name());
      }
      Set<String> uris = new HashSet<>();
      for (ContactEntry e : g.entries()) {
        if (!uris.add(e.uri())) {
          throw new IllegalArgumentException("URI repeated in group " + g.name() + ": " + e.uri());
        }
      }
    }
    tx.insertInto(CONTACT_LISTS)
        .set(CONTACT_LISTS.OWNER, owner)
        .set(CONTACT_LISTS.UPDATED_AT, DSL.currentOffsetDateTime())
        .execute();
    int gpos = 0;
    for (ContactGroup g : groups) {
      Long id =
          tx.insertInto(CONTACT_GROUPS)
              .set(CONTACT_GROUPS.OWNER, owner)
              .set(CONTACT_GROUPS.NAME, g.name())
              .set(CONTACT_GROUPS.DISPLAY_NAME, g.displayName())
              .set(CONTACT_GROUPS.POSITION, gpos++)
              .returning(CONTACT_GROUPS.ID)
              .fetchOne(CONTACT_GROUPS.ID);
      int epos = 0;
      for (ContactEntry e : g.entries()) {
        tx.insertInto(CONTACT_ENTRIES)
            .set(CONTACT_ENTRIES.GROUP_ID, id)
            .set(CONTACT_ENTRIES.OWNER, owner)
            .set(CONTACT_ENTRIES.URI, e.uri())
            .set(CONTACT_ENTRIES.DISPLAY_NAME, e.displayName())
            .set(CONTACT_ENTRIES.POSITION, epos++)
            .execute();
      }
    }
  }
}
