package io.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EscapeGuardTest {

  @Test
  void onlyTwoHexDigitsAfterEveryPercentPass() {
    assertThat(EscapeGuard.hasValidEscapes("/xcap/users/sip:alice@example.test/index")).isTrue();
    assertThat(EscapeGuard.hasValidEscapes("/a%2Fb%5B@name=%22x%22%5d")).isTrue();
    assertThat(EscapeGuard.hasValidEscapes("/a%00b")).isTrue(); // decodable; callers judge NUL

    assertThat(EscapeGuard.hasValidEscapes("/a%zzb")).isFalse();
    assertThat(EscapeGuard.hasValidEscapes("/a%%00")).isFalse();
    assertThat(EscapeGuard.hasValidEscapes("/a%4")).isFalse();
    assertThat(EscapeGuard.hasValidEscapes("/a%")).isFalse();
    assertThat(EscapeGuard.hasValidEscapes("/a%4g")).isFalse();
  }
}
