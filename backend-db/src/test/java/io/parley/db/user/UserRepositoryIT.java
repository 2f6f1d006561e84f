package io.parley.db.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.db.testing.TestDatabase;
import io.parley.model.StoredCredentials;
import io.parley.model.UserAccount;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserRepositoryIT {

  private static final String DOMAIN = "example.com";
  private static final String REALM = "example.com";

  private static TestDatabase db;
  private UserRepository users;
  private CredentialRepository credentials;

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
    users = db.database().users();
    credentials = db.database().credentials();
  }

  @Test
  void keysWithAnEscapedNulFindNoUserInsteadOfFailingTheQuery() {
    // sip:null-%00-null@... is a valid URI (RFC 4475 escnull); PostgreSQL text cannot hold U+0000.
    users.create("null--null", DOMAIN, null, REALM, "pw");

    assertThat(users.findBySipUri("sip:null-\u0000-null@example.com")).isEmpty();
    assertThat(users.findByUsername("null-\u0000-null", DOMAIN)).isEmpty();
    assertThat(credentials.lookup("null-\u0000-null", REALM)).isEmpty();
    assertThat(credentials.lookup("null--null", "example\u0000.com", REALM)).isEmpty();
    assertThat(users.findBySipUri("sip:null--null@example.com")).isPresent();
  }

  @Test
  void createdUserIsFoundByUsernameAndBySipUri() {
    UserAccount alice = users.create("Alice", "Example.com", "Alice Liddell", REALM, "pw");

    assertThat(alice.username()).isEqualTo("alice");
    assertThat(alice.domain()).isEqualTo("example.com");
    assertThat(alice.sipUri()).isEqualTo("sip:alice@example.com");
    assertThat(alice.displayName()).isEqualTo("Alice Liddell");
    assertThat(alice.enabled()).isTrue();
    assertThat(users.findByUsername("ALICE", "example.COM")).contains(alice);
    assertThat(users.findBySipUri("sip:Alice@Example.com")).contains(alice);
    assertThat(users.findById(alice.id())).contains(alice);
    assertThat(users.findByUsername("bob", DOMAIN)).isEmpty();
    assertThat(users.count()).isEqualTo(1);
  }

  @Test
  void creatingTheSameUserTwiceIsRefused() {
    users.create("alice", DOMAIN, null, REALM, "pw");
    assertThatThrownBy(() -> users.create("ALICE", DOMAIN, null, REALM, "other"))
        .isInstanceOf(DuplicateUserException.class);
    assertThat(users.count()).isEqualTo(1);
    assertThat(credentials.lookup("alice", REALM))
        .hasValueSatisfying(
            c -> assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("alice", REALM, "pw")));
  }

  @Test
  void credentialsLookupReturnsTheHa1sOfThePassword() {
    UserAccount bob = users.create("bob", DOMAIN, null, REALM, "secret");

    StoredCredentials c = credentials.lookup("Bob", REALM).orElseThrow();
    assertThat(c.userId()).isEqualTo(bob.id());
    assertThat(c.sipUri()).isEqualTo("sip:bob@example.com");
    assertThat(c.enabled()).isTrue();
    assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("bob", REALM, "secret"));
    assertThat(c.ha1Sha256()).isEqualTo(DigestHa1.sha256("bob", REALM, "secret"));
    assertThat(c.toString()).doesNotContain(c.ha1Md5());
    assertThat(credentials.lookup("bob", DOMAIN, REALM)).contains(c);
  }

  @Test
  void unknownUserOrRealmHasNoCredentials() {
    users.create("bob", DOMAIN, null, REALM, "secret");
    assertThat(credentials.lookup("carol", REALM)).isEmpty();
    assertThat(credentials.lookup("bob", "other.realm")).isEmpty();
    assertThat(credentials.lookup("bob", "other.com", REALM)).isEmpty();
  }

  @Test
  void disabledUserIsVisibleAsDisabled() {
    UserAccount bob = users.create("bob", DOMAIN, null, REALM, "secret");

    assertThat(users.setEnabled(bob.id(), false)).isTrue();

    assertThat(credentials.lookup("bob", REALM))
        .hasValueSatisfying(c -> assertThat(c.enabled()).isFalse());
    assertThat(users.findById(bob.id())).hasValueSatisfying(u -> assertThat(u.enabled()).isFalse());
    assertThat(users.setEnabled(bob.id() + 1000, false)).isFalse();
  }

  @Test
  void settingThePasswordReplacesTheHa1sInEveryRealm() {
    UserAccount bob = users.create("bob", DOMAIN, null, "old.realm", "old");

    assertThat(users.setPassword(bob.id(), REALM, "new")).isTrue();

    assertThat(credentials.lookup("bob", "old.realm")).isEmpty();
    StoredCredentials c = credentials.lookup("bob", REALM).orElseThrow();
    assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("bob", REALM, "new"));
    assertThat(c.ha1Sha256()).isEqualTo(DigestHa1.sha256("bob", REALM, "new"));
    assertThat(users.setPassword(bob.id() + 1000, REALM, "x")).isFalse();
  }

  @Test
  void sameUsernameInTwoDomainsSharingARealmIsAmbiguousWithoutTheDomain() {
    users.create("bob", "a.example", null, REALM, "one");
    users.create("bob", "b.example", null, REALM, "two");

    assertThat(credentials.lookup("bob", REALM)).isEmpty();
    assertThat(credentials.lookup("bob", "b.example", REALM))
        .hasValueSatisfying(
            c -> assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("bob", REALM, "two")));
  }

  @Test
  void listPagesThroughAllUsersInIdOrder() {
    for (int i = 0; i < 25; i++) {
      users.create("user" + i, DOMAIN, null, REALM, "pw");
    }
    List<UserAccount> all = new ArrayList<>();
    long after = 0;
    for (List<UserAccount> page = users.list(after, 10);
        !page.isEmpty();
        page = users.list(after, 10)) {
      assertThat(page.size()).isLessThanOrEqualTo(10);
      all.addAll(page);
      after = page.getLast().id();
    }
    assertThat(all).hasSize(25);
    assertThat(all).extracting(UserAccount::id).isSorted().doesNotHaveDuplicates();
    assertThat(users.count()).isEqualTo(25);
  }

  @Test
  void deletingAUserRemovesItsCredentials() {
    UserAccount bob = users.create("bob", DOMAIN, null, REALM, "secret");
    assertThat(users.delete(bob.id())).isTrue();
    assertThat(credentials.lookup("bob", REALM)).isEmpty();
    assertThat(users.count()).isZero();
  }

  @Test
  void invalidUsernamesAndEmptyPasswordsAreRefused() {
    assertThatThrownBy(() -> users.create("a b", DOMAIN, null, REALM, "pw"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> users.create("ann", DOMAIN, null, REALM, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(users.count()).isZero();
  }
}
