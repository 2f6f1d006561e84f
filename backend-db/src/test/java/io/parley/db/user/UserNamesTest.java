package io.parley.db.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class UserNamesTest {

  @Test
  void usernamesAndDomainsAreLowerCased() {
    assertThat(UserNames.username("Alice.Smith")).isEqualTo("alice.smith");
    assertThat(UserNames.domain("Example.COM")).isEqualTo("example.com");
    assertThat(UserNames.sipUri("alice", "example.com")).isEqualTo("sip:alice@example.com");
  }

  @Test
  void usernamesThatCannotBeWrittenInASipUriAreRefused() {
    for (String bad : new String[] {"", "a b", "a@b", "a:b", "a%41", "a\tb", "x".repeat(129)}) {
      assertThatIllegalArgumentException().as(bad).isThrownBy(() -> UserNames.username(bad));
    }
  }

  @Test
  void domainsMustBeHostNames() {
    for (String bad : new String[] {"", "-a.com", "a..com", "a_b.com", "a.com.", "a b"}) {
      assertThatIllegalArgumentException().as(bad).isThrownBy(() -> UserNames.domain(bad));
    }
  }
}
