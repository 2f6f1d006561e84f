package io.parley.db.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.db.testing.TestDatabase;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PresenceRuleRepositoryIT {

  private static TestDatabase db;
  private PresenceRuleRepository rules;

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
    db.dsl().execute("truncate table presence_rules");
    db.truncateAll();
    db.database().users().create("bob", "example.test", null, "example.test", "pw");
    rules = new PresenceRuleRepository(db.dsl());
  }

  @Test
  void aWatcherWithAnEscapedNulHasNoRuleAndCannotBeGivenOne() {
    String watcher = "sip:null-\u0000-null@other.test"; // decoded from sip:null-%00-null@...

    assertThat(rules.find("sip:bob@example.test", watcher)).isEmpty();
    assertThat(rules.delete("sip:bob@example.test", watcher)).isFalse();
    assertThat(rules.rulesOf("sip:b\u0000b@example.test")).isEmpty();
    assertThatThrownBy(() -> rules.put("sip:bob@example.test", watcher, PresenceAction.ALLOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("URI contains U+0000, which cannot be stored");
  }

  @Test
  void aRuleIsStoredReplacedAndDeleted() {
    assertThat(rules.find("sip:bob@example.test", "sip:alice@other.test")).isEmpty();
    rules.put("sip:bob@example.test", "sip:Alice@Other.test", PresenceAction.PENDING);
    assertThat(rules.find("sip:bob@example.test", "sip:alice@other.test"))
        .contains(PresenceAction.PENDING);
    rules.put("sip:bob@example.test", "sip:alice@other.test", PresenceAction.BLOCK);
    assertThat(rules.rulesOf("sip:bob@example.test"))
        .containsExactly(
            new PresenceRule("sip:bob@example.test", "sip:alice@other.test", PresenceAction.BLOCK));
    assertThat(rules.delete("sip:bob@example.test", "sip:alice@other.test")).isTrue();
    assertThat(rules.delete("sip:bob@example.test", "sip:alice@other.test")).isFalse();
    assertThat(rules.find("sip:bob@example.test", "sip:alice@other.test")).isEmpty();
  }

  @Test
  void rulesNeedAProvisionedPresentityAndGoWithTheUser() {
    assertThatThrownBy(
            () -> rules.put("sip:nobody@example.test", "sip:a@b.test", PresenceAction.ALLOW))
        .isInstanceOf(DataAccessException.class);
    rules.put("sip:bob@example.test", "sip:a@b.test", PresenceAction.ALLOW);
    db.dsl().execute("delete from users where sip_uri = 'sip:bob@example.test'");
    assertThat(rules.rulesOf("sip:bob@example.test")).isEmpty();
  }
}
