package io.parley.db.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DigestHa1Test {

  private static String hex(String algorithm, String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** RFC 7616 section 3.9.1: the response computed from our HA1 matches the RFC's. */
  private static String response(String algorithm, String ha1) throws Exception {
    String ha2 = hex(algorithm, "GET:/dir/index.html");
    return hex(
        algorithm,
        ha1
            + ":7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:"
            + "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:"
            + ha2);
  }

  @Test
  void md5Ha1MatchesTheRfc2617Example() {
    assertThat(DigestHa1.md5("Mufasa", "testrealm@host.com", "Circle Of Life"))
        .isEqualTo("939e7578ed9e3c518a452acee763bce9");
  }

  @Test
  void md5Ha1GivesTheRfc7616Response() throws Exception {
    String ha1 = DigestHa1.md5("Mufasa", "http-auth@example.org", "Circle of Life");
    assertThat(response("MD5", ha1)).isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
  }

  @Test
  void sha256Ha1GivesTheRfc7616Response() throws Exception {
    String ha1 = DigestHa1.sha256("Mufasa", "http-auth@example.org", "Circle of Life");
    assertThat(ha1).hasSize(64);
    assertThat(response("SHA-256", ha1))
        .isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  }

  @Test
  void ntHashMatchesKnownValues() {
    assertThat(DigestHa1.ntHash("password")).isEqualTo("8846f7eaee8fb117ad06bdd830b7586c");
    assertThat(DigestHa1.ntHash("")).isEqualTo("31d6cfe0d16ae931b73c59d7e0c089c0");
  }

  @Test
  void nonAsciiPasswordsAreHashedAsUtf8() throws Exception {
    assertThat(DigestHa1.md5("bob", "r", "pässwörd")).isEqualTo(hex("MD5", "bob:r:pässwörd"));
  }
}
