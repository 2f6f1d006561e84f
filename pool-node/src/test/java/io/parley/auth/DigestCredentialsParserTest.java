package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestCredentialsParserTest {

  private static final String RESPONSE = "6629fae49393a05397450978507c4ef1";

  private static DigestCredentials parsed(String header) {
    DigestParseResult r = DigestCredentialsParser.parse(header);
    assertThat(r).isInstanceOf(DigestParseResult.Parsed.class);
    return ((DigestParseResult.Parsed) r).credentials();
  }

  @Test
  void parametersInAnyOrderWithUnknownOnesAndOddSpacingAreRead() {
    DigestCredentials c =
        parsed(
            "digest   response=\""
                + RESPONSE.toUpperCase()
                + "\" ,foo=bar,  nc=0000000A,qop=\"auth\","
                + "cnonce=\"x\\\"y\", uri=\"sip:a@b;transport=tls\" ,, realm=\"r\", nonce=n1,"
                + " username=\"us\\\\er\", ALGORITHM=md5, opaque=\"o\", userhash=false, x=\"\"");
    assertThat(c.username()).isEqualTo("us\\er");
    assertThat(c.realm()).isEqualTo("r");
    assertThat(c.nonce()).isEqualTo("n1");
    assertThat(c.uri()).isEqualTo("sip:a@b;transport=tls");
    assertThat(c.response()).isEqualTo(RESPONSE);
    assertThat(c.algorithm()).isEqualTo(DigestAlgorithm.MD5);
    assertThat(c.qop()).isEqualTo("auth");
    assertThat(c.nc()).isEqualTo("0000000A");
    assertThat(c.nonceCount()).isEqualTo(10);
    assertThat(c.cnonce()).isEqualTo("x\"y");
    assertThat(c.opaque()).isEqualTo("o");
  }

  @Test
  void algorithmDefaultsToMd5AndNoQopMeansRfc2069Form() {
    DigestCredentials c =
        parsed(
            "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"(null)\", response=\""
                + RESPONSE
                + "\"");
    assertThat(c.algorithm()).isEqualTo(DigestAlgorithm.MD5);
    assertThat(c.qop()).isNull();
    assertThat(c.nc()).isNull();
    assertThat(c.nonceCount()).isEqualTo(-1);
    assertThat(c.uri()).isEqualTo("(null)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
        "NTLM qop=\"auth\", realm=\"SIP Communications Service\", gssapi-data=\"\"",
        "Digestive username=\"u\"",
        "Kerberos realm=\"x\""
      })
  void otherSchemesAreReportedAsNotDigest(String header) {
    assertThat(DigestCredentialsParser.parse(header))
        .isInstanceOf(DigestParseResult.NotDigest.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Digest",
        "Digest username=\"u\"",
        // duplicate parameter
        "Digest username=\"u\", username=\"v\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\""
            + RESPONSE
            + "\"",
        // unterminated quote
        "Digest username=\"u, realm=\"r\", nonce=\"n\", uri=\"x\", response=\"" + RESPONSE,
        // missing '='
        "Digest username \"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"" + RESPONSE + "\"",
        // garbage between parameters
        "Digest username=\"u\" junk, realm=\"r\", nonce=\"n\", uri=\"x\", response=\""
            + RESPONSE
            + "\"",
        // unsupported algorithm
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", algorithm=SHA-512-256, response=\""
            + RESPONSE
            + "\"",
        // response not hex / wrong length for the algorithm
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"zz\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", algorithm=SHA-256, response=\""
            + RESPONSE
            + "\"",
        // qop without nc/cnonce, auth-int, bad nc
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", qop=auth, response=\""
            + RESPONSE
            + "\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", qop=auth-int, nc=00000001,"
            + " cnonce=\"c\", response=\""
            + RESPONSE
            + "\"",
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", qop=auth, nc=1, cnonce=\"c\","
            + " response=\""
            + RESPONSE
            + "\"",
        // userhash=true is not supported
        "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", userhash=true, response=\""
            + RESPONSE
            + "\""
      })
  void malformedOrUnsupportedDigestIsReportedNotThrown(String header) {
    assertThat(DigestCredentialsParser.parse(header))
        .isInstanceOf(DigestParseResult.Malformed.class);
  }

  @Test
  void overlongValueIsRefusedBeforeParsing() {
    String header = "Digest username=\"" + "a".repeat(DigestCredentialsParser.MAX_LENGTH) + "\"";
    assertThat(DigestCredentialsParser.parse(header))
        .isInstanceOf(DigestParseResult.Malformed.class);
    assertThat(DigestCredentialsParser.parse(null)).isInstanceOf(DigestParseResult.NotDigest.class);
  }

  @Property(tries = 1000)
  void randomStringsNeverThrow(@ForAll @StringLength(max = 300) String s) {
    assertThat(DigestCredentialsParser.parse(s)).isNotNull();
    assertThat(DigestCredentialsParser.parse("Digest " + s)).isNotNull();
  }

  @Property(tries = 1000)
  void mutatedValidHeadersNeverThrow(@ForAll("mutations") String s) {
    assertThat(DigestCredentialsParser.parse(s)).isNotNull();
  }

  @Provide
  Arbitrary<String> mutations() {
    String valid =
        "Digest username=\"EXAMPLE\\alice\", realm=\"example.com\", nonce=\"abc\", uri=\"(null)\","
            + " qop=auth, nc=00000001, cnonce=\"e78639a1\", opaque=\"abc123\", response=\""
            + RESPONSE
            + "\"";
    return Arbitraries.integers()
        .between(0, valid.length() - 1)
        .flatMap(
            pos ->
                Arbitraries.of('"', '\\', ',', '=', ' ', '\0', 'x', '\u00e9', '\n')
                    .map(ch -> valid.substring(0, pos) + ch + valid.substring(pos + 1)));
  }
}
