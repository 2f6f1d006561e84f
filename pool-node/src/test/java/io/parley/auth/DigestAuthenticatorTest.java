package io.parley.auth;

import static io.parley.auth.DigestTestSupport.clientResponse;
import static io.parley.auth.DigestTestSupport.hex;
import static io.parley.auth.DigestTestSupport.param;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestAuthenticatorTest {

  private static final String REALM = "example.com";
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final DigestAuthenticator auth =
      new DigestAuthenticator(new DigestConfig(REALM, KEY), clock);

  private static DigestCredentials parse(String header) {
    DigestParseResult r = DigestCredentialsParser.parse(header);
    assertThat(r).isInstanceOf(DigestParseResult.Parsed.class);
    return ((DigestParseResult.Parsed) r).credentials();
  }

  // RFC 7616 §3.9.1: the published request, answered with MD5 and with SHA-256.
  private static String rfc7616(String algorithm, String response) {
    return "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\","
        + " algorithm="
        + algorithm
        + ", nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001,"
        + " cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth,"
        + " response=\""
        + response
        + "\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
  }

  @Test
  void rfc7616Sha256ExampleResponseIsReproduced() {
    String published = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1";
    DigestCredentials c = parse(rfc7616("SHA-256", published));
    String ha1 = DigestAlgorithm.SHA_256.ha1("Mufasa", "http-auth@example.org", "Circle of Life");
    assertThat(DigestAuthenticator.expectedResponse(c, "GET", ha1)).isEqualTo(published);
  }

  @Test
  void rfc7616Md5ExampleResponseIsReproduced() {
    String published = "8ca523f5e9506fed4657c9700eebdbec";
    DigestCredentials c = parse(rfc7616("MD5", published));
    String ha1 = DigestAlgorithm.MD5.ha1("Mufasa", "http-auth@example.org", "Circle of Life");
    assertThat(DigestAuthenticator.expectedResponse(c, "GET", ha1)).isEqualTo(published);
  }

  @Test
  void rfc2617ExampleResponseIsReproduced() {
    DigestCredentials c =
        parse(
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\","
                + " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth,"
                + " nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\","
                + " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    String ha1 = DigestAlgorithm.MD5.ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
    assertThat(DigestAuthenticator.expectedResponse(c, "GET", ha1))
        .isEqualTo("6629fae49393a05397450978507c4ef1");
  }

  @Test
  void challengesOfferMd5ThenSha256ByDefaultWithQopAndOpaque() {
    List<String> challenges = auth.challenges(false);
    assertThat(challenges).hasSize(2);
    assertThat(challenges.get(0)).startsWith("Digest ").contains("algorithm=MD5");
    assertThat(challenges.get(1)).contains("algorithm=SHA-256");
    for (String ch : challenges) {
      assertThat(ch).contains("qop=\"auth\"").contains("realm=\"example.com\"").contains("opaque=");
      assertThat(ch).doesNotContain("stale");
      assertThat(auth.checkNonce(param(ch, "nonce"))).isEqualTo(NonceStatus.VALID);
    }
    // One nonce per challenge response (the client answers one algorithm), a new one per response.
    assertThat(param(challenges.get(0), "nonce")).isEqualTo(param(challenges.get(1), "nonce"));
    assertThat(param(auth.challenges(false).get(0), "nonce"))
        .isNotEqualTo(param(challenges.get(0), "nonce"));
    assertThat(auth.challenges(true)).allSatisfy(ch -> assertThat(ch).endsWith(", stale=true"));
  }

  @Test
  void challengeOrderIsConfigurable() {
    DigestAuthenticator sha256First =
        new DigestAuthenticator(
            new DigestConfig(
                REALM,
                new byte[32],
                DigestConfig.DEFAULT_NONCE_LIFETIME,
                100,
                List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5)),
            java.time.Clock.systemUTC());
    List<String> challenges = sha256First.challenges(false);
    assertThat(challenges.get(0)).contains("algorithm=SHA-256");
    assertThat(challenges.get(1)).contains("algorithm=MD5");
  }

  @Test
  void sippStyleRegisterWithServerAddressAsUriIsAccepted() {
    String ch = auth.challenges(false).get(0);
    String nonce = param(ch, "nonce");
    String uri = "sip:127.0.0.1:5060";
    String resp =
        clientResponse(
            "SHA-256", "bob", REALM, "secret", "REGISTER", uri, nonce, "00000001", "abc");
    DigestCredentials c =
        parse(
            "Digest username=\"bob\",realm=\"example.com\",algorithm=SHA-256,nonce=\""
                + nonce
                + "\",uri=\""
                + uri
                + "\",response=\""
                + resp
                + "\",qop=auth,nc=00000001,cnonce=\"abc\",opaque=\""
                + param(ch, "opaque")
                + "\"");
    String ha1 = hex("SHA-256", "bob:example.com:secret");
    assertThat(auth.verify(c, "REGISTER", ha1)).isEqualTo(DigestOutcome.ACCEPTED);
  }

  @Test
  void sipeStyleNullUriAndDomainUserIsAccepted() {
    String ch = auth.md5Challenge(false);
    assertThat(ch).doesNotContain("algorithm").contains("qop=\"auth\"");
    String nonce = param(ch, "nonce");
    String user = "EXAMPLE\\alice";
    String resp =
        clientResponse(
            "MD5", user, REALM, "pw", "REGISTER", "(null)", nonce, "00000001", "e78639a1");
    // Byte-for-byte the header SIPE sends (see ms-sip-lcs2005.md §4.1).
    String header =
        "Digest username=\"EXAMPLE\\alice\", realm=\"example.com\", nonce=\""
            + nonce
            + "\", uri=\"(null)\", qop=auth, nc=00000001, cnonce=\"e78639a1\", opaque=\""
            + param(ch, "opaque")
            + "\", response=\""
            + resp
            + "\"";
    DigestCredentials c = parse(header);
    assertThat(c.username()).isEqualTo(user);
    assertThat(auth.verify(c, "REGISTER", hex("MD5", user + ":example.com:pw")))
        .isEqualTo(DigestOutcome.ACCEPTED);
  }

  @Test
  void rfc2069FormWithoutQopIsAccepted() {
    String nonce = param(auth.md5Challenge(false), "nonce");
    String ha1 = hex("MD5", "bob:example.com:pw");
    String resp = hex("MD5", ha1 + ":" + nonce + ":" + hex("MD5", "INVITE:sip:carol@example.com"));
    DigestCredentials c =
        parse(
            "Digest username=\"bob\", realm=\"example.com\", nonce=\""
                + nonce
                + "\", uri=\"sip:carol@example.com\", response=\""
                + resp
                + "\"");
    assertThat(auth.verify(c, "INVITE", ha1)).isEqualTo(DigestOutcome.ACCEPTED);
    assertThat(auth.verify(c, "MESSAGE", ha1)).isEqualTo(DigestOutcome.REJECTED);
  }

  private DigestCredentials md5Credentials(String password, String nonce, String nc) {
    String resp =
        clientResponse("MD5", "bob", REALM, password, "REGISTER", "(null)", nonce, nc, "c1");
    return parse(
        "Digest username=\"bob\", realm=\"example.com\", nonce=\""
            + nonce
            + "\", uri=\"(null)\", qop=auth, nc="
            + nc
            + ", cnonce=\"c1\", response=\""
            + resp
            + "\"");
  }

  private static final String BOB_HA1 = hex("MD5", "bob:example.com:right");

  @Test
  void wrongPasswordIsRejected() {
    String nonce = param(auth.md5Challenge(false), "nonce");
    assertThat(auth.verify(md5Credentials("wrong", nonce, "00000001"), "REGISTER", BOB_HA1))
        .isEqualTo(DigestOutcome.REJECTED);
  }

  @Test
  void expiredNonceWithRightPasswordIsStaleButWithWrongPasswordRejected() {
    String nonce = param(auth.md5Challenge(false), "nonce");
    clock.advance(Duration.ofSeconds(301));
    assertThat(auth.checkNonce(nonce)).isEqualTo(NonceStatus.STALE);
    assertThat(auth.verify(md5Credentials("right", nonce, "00000001"), "REGISTER", BOB_HA1))
        .isEqualTo(DigestOutcome.STALE);
    assertThat(auth.verify(md5Credentials("wrong", nonce, "00000001"), "REGISTER", BOB_HA1))
        .isEqualTo(DigestOutcome.REJECTED);
  }

  @Test
  void tamperedOrForeignNonceIsInvalidAndRejected() {
    String nonce = param(auth.md5Challenge(false), "nonce");
    char last = nonce.charAt(10);
    String tampered = nonce.substring(0, 10) + (last == 'A' ? 'B' : 'A') + nonce.substring(11);
    assertThat(auth.checkNonce(tampered)).isEqualTo(NonceStatus.INVALID);
    assertThat(auth.verify(md5Credentials("right", tampered, "00000001"), "REGISTER", BOB_HA1))
        .isEqualTo(DigestOutcome.REJECTED);

    DigestAuthenticator other =
        new DigestAuthenticator(
            new DigestConfig(
                REALM, "another-key-another-key-1234".getBytes(StandardCharsets.UTF_8)),
            clock);
    String foreign = param(other.md5Challenge(false), "nonce");
    assertThat(auth.checkNonce(foreign)).isEqualTo(NonceStatus.INVALID);
    assertThat(auth.checkNonce("")).isEqualTo(NonceStatus.INVALID);
    assertThat(auth.checkNonce("not base64 at all!")).isEqualTo(NonceStatus.INVALID);
  }

  @Test
  void replayedOrNonIncreasingNonceCountIsRefused() {
    String nonce = param(auth.md5Challenge(false), "nonce");
    DigestCredentials first = md5Credentials("right", nonce, "00000001");
    assertThat(auth.verify(first, "REGISTER", BOB_HA1)).isEqualTo(DigestOutcome.ACCEPTED);
    assertThat(auth.verify(first, "REGISTER", BOB_HA1)).isEqualTo(DigestOutcome.REPLAYED);
    assertThat(auth.verify(md5Credentials("right", nonce, "00000003"), "REGISTER", BOB_HA1))
        .isEqualTo(DigestOutcome.ACCEPTED);
    assertThat(auth.verify(md5Credentials("right", nonce, "00000002"), "REGISTER", BOB_HA1))
        .isEqualTo(DigestOutcome.REPLAYED);
  }

  @Test
  void foreignRealmOrOpaqueIsRejected() {
    String ch = auth.md5Challenge(false);
    String nonce = param(ch, "nonce");
    String resp =
        clientResponse("MD5", "bob", "other.org", "right", "REGISTER", "x", nonce, "00000001", "c");
    DigestCredentials otherRealm =
        parse(
            "Digest username=\"bob\", realm=\"other.org\", nonce=\""
                + nonce
                + "\", uri=\"x\", qop=auth, nc=00000001, cnonce=\"c\", response=\""
                + resp
                + "\"");
    assertThat(auth.verify(otherRealm, "REGISTER", hex("MD5", "bob:other.org:right")))
        .isEqualTo(DigestOutcome.REJECTED);

    DigestCredentials good = md5Credentials("right", nonce, "00000001");
    DigestCredentials badOpaque =
        new DigestCredentials(
            good.username(),
            good.realm(),
            good.nonce(),
            good.uri(),
            good.response(),
            good.algorithm(),
            good.qop(),
            good.nc(),
            good.nonceCount(),
            good.cnonce(),
            "forged");
    assertThat(auth.verify(badOpaque, "REGISTER", BOB_HA1)).isEqualTo(DigestOutcome.REJECTED);
  }

  @Test
  void unknownUserDummyVerificationIsRejectedLikeAWrongPassword() {
    String nonce = param(auth.md5Challenge(false), "nonce");
    DigestCredentials c = md5Credentials("anything", nonce, "00000001");
    assertThat(auth.verifyAgainstDummy(c, "REGISTER")).isEqualTo(DigestOutcome.REJECTED);
    assertThat(auth.verify(c, "REGISTER", BOB_HA1))
        .isEqualTo(auth.verifyAgainstDummy(c, "REGISTER"));
  }

  @Test
  void sha256SessVariantIsVerified() {
    String nonce = param(auth.challenges(false).get(0), "nonce");
    String ha1 = hex("SHA-256", "bob:example.com:pw");
    String sessHa1 = hex("SHA-256", ha1 + ":" + nonce + ":cn");
    String resp =
        hex(
            "SHA-256",
            sessHa1
                + ":"
                + nonce
                + ":00000001:cn:auth:"
                + hex("SHA-256", "REGISTER:sip:example.com"));
    DigestCredentials c =
        parse(
            "Digest username=\"bob\", realm=\"example.com\", algorithm=SHA-256-sess, nonce=\""
                + nonce
                + "\", uri=\"sip:example.com\", qop=auth, nc=00000001, cnonce=\"cn\", response=\""
                + resp
                + "\"");
    assertThat(auth.verify(c, "REGISTER", ha1)).isEqualTo(DigestOutcome.ACCEPTED);
  }
}
