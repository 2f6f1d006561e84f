package io.parley.db.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.db.presence.PresenceAction;
import io.parley.db.presence.PresenceRuleRepository;
import io.parley.db.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ContactListRepositoryIT {

  private static final String BOB = "sip:bob@example.test";
  private static TestDatabase db;
  private ContactListRepository lists;
  private PresenceRuleSetRepository ruleSets;

  @BeforeAll
  static void start() {
    db = TestDatabase.start();
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void empty() {
    db.truncateAll();
    db.database().users().create("bob", "example.test", null, "example.test", "pw");
    lists = new ContactListRepository(db.dsl());
    ruleSets = new PresenceRuleSetRepository(db.dsl());
  }

  @Test
  void anOwnerWithAnEscapedNulHasNoListAndNoRules() {
    String owner = "sip:b\u0000b@example.test"; // decoded from sip:b%00b@...

    assertThat(lists.find(owner)).isEmpty();
    assertThat(lists.delete(owner)).isFalse();
    assertThat(ruleSets.rules(owner)).isEmpty();
    assertThatThrownBy(() -> lists.replace(owner, List.of()))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void aListIsStoredInOrderReplacedAndDeleted() {
    assertThat(lists.find(BOB)).isEmpty();
    List<ContactGroup> groups =
        List.of(
            new ContactGroup(
                "work",
                "Work",
                List.of(
                    new ContactEntry("sip:zed@example.test", "Zed"),
                    new ContactEntry("sip:amy@example.test", null))),
            new ContactGroup("family", null, List.of()));
    lists.replace(BOB, groups);
    assertThat(lists.find(BOB)).contains(groups);

    List<ContactGroup> other =
        List.of(new ContactGroup("x", null, List.of(new ContactEntry("tel:+123", "T"))));
    lists.replace(BOB, other);
    assertThat(lists.find(BOB)).contains(other);

    assertThat(lists.delete(BOB)).isTrue();
    assertThat(lists.find(BOB)).isEmpty();
    assertThat(lists.delete(BOB)).isFalse();
  }

  @Test
  void anEmptyListExistsAndGoesWithTheUser() {
    lists.replace(BOB, List.of());
    assertThat(lists.find(BOB)).contains(List.of());
    db.dsl().execute("delete from users where sip_uri = 'sip:bob@example.test'");
    assertThat(lists.find(BOB)).isEmpty();
  }

  @Test
  void aFailedChangeLeavesTheListAsItWas() {
    List<ContactGroup> groups =
        List.of(new ContactGroup("g", null, List.of(new ContactEntry("sip:a@b.test", null))));
    lists.replace(BOB, groups);
    assertThatThrownBy(
            () ->
                lists.update(
                    BOB,
                    current -> {
                      throw new IllegalStateException("precondition failed");
                    }))
        .isInstanceOf(IllegalStateException.class);
    List<ContactEntry> twice =
        List.of(new ContactEntry("sip:a@b.test", null), new ContactEntry("sip:a@b.test", "A"));
    assertThatThrownBy(() -> lists.replace(BOB, List.of(new ContactGroup("g", null, twice))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(lists.find(BOB)).contains(groups);
  }

  @Test
  void onlyProvisionedUsersHaveLists() {
    assertThatThrownBy(() -> lists.replace("sip:nobody@example.test", List.of()))
        .isInstanceOf(NoSuchElementException.class);
    assertThat(lists.update(BOB, current -> Optional.empty())).isEmpty();
  }

  @Test
  void aRuleSetReplacementReportsTheWatchersItChanged() {
    PresenceRuleRepository single = new PresenceRuleRepository(db.dsl());
    single.put(BOB, "sip:keep@x.test", PresenceAction.ALLOW);
    single.put(BOB, "sip:gone@x.test", PresenceAction.BLOCK);
    single.put(BOB, "sip:flip@x.test", PresenceAction.PENDING);

    var changed =
        ruleSets.update(
            BOB,
            current ->
                Map.of(
                    "sip:keep@x.test", PresenceAction.ALLOW,
                    "sip:Flip@X.test", PresenceAction.BLOCK,
                    "sip:new@x.test", PresenceAction.PENDING));

    assertThat(changed).containsExactly("sip:flip@x.test", "sip:gone@x.test", "sip:new@x.test");
    assertThat(ruleSets.rules(BOB))
        .containsExactly(
            Map.entry("sip:flip@x.test", PresenceAction.BLOCK),
            Map.entry("sip:keep@x.test", PresenceAction.ALLOW),
            Map.entry("sip:new@x.test", PresenceAction.PENDING));
    assertThat(single.find(BOB, "sip:flip@x.test")).contains(PresenceAction.BLOCK);
  }
}
