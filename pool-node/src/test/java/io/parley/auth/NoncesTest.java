package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class NoncesTest {

  private static final byte[] KEY = "a-sixteen-byte-key-or-more".getBytes(StandardCharsets.UTF_8);
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Nonces nonces = new Nonces(KEY, "example.com", Duration.ofSeconds(300), clock);

  @Test
  void nonceIsValidUntilItsLifetimeEndsThenStale() {
    String n = nonces.issue();
    assertThat(n).matches("[A-Za-z0-9_-]+");
    clock.advance(Duration.ofSeconds(300));
    assertThat(nonces.check(n)).isEqualTo(NonceStatus.VALID);
    clock.advance(Duration.ofMillis(1));
    assertThat(nonces.check(n)).isEqualTo(NonceStatus.STALE);
  }

  @Test
  void noncesAreUniqueAndBoundToTheRealm() {
    assertThat(nonces.issue()).isNotEqualTo(nonces.issue());
    Nonces otherRealm = new Nonces(KEY, "other.org", Duration.ofSeconds(300), clock);
    assertThat(otherRealm.check(nonces.issue())).isEqualTo(NonceStatus.INVALID);
  }

  @Test
  void anotherNodeWithTheSameKeyValidatesWithinClockSkew() {
    MutableClock ahead = new MutableClock(Instant.parse("2026-01-01T00:00:20Z"));
    Nonces peer = new Nonces(KEY, "example.com", Duration.ofSeconds(300), ahead);
    assertThat(nonces.check(peer.issue())).isEqualTo(NonceStatus.VALID);
    ahead.advance(Duration.ofMinutes(5));
    assertThat(nonces.check(peer.issue())).isEqualTo(NonceStatus.STALE);
  }

  @Test
  void shortKeysAreRefused() {
    assertThatThrownBy(() -> new Nonces(new byte[8], "r", Duration.ofSeconds(1), clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
