package io.parley.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server side of SIP Digest authentication (RFC 3261 §22, RFC 7616, RFC 8760), free of any SIP
 * message type: it produces challenge header values and verifies parsed credentials against a
 * stored HA1. Thread-safe; no I/O; the caller does the user lookup and the throttling ({@link
 * AuthThrottle}).
 *
 * <p>Typical flow: no credentials → 401/407 with {@link #challenges(boolean)} (or {@link
 * #md5Challenge(boolean)} for SIPE, as 407 only); credentials → {@link
 * DigestCredentialsParser#parse}, look the user up, then {@link #verify} with the HA1 for {@code
 * credentials.algorithm().base()}, or {@link #verifyAgainstDummy} when the user is unknown.
 */
public final class DigestAuthenticator {

  private final String realm;
  private final List<DigestAlgorithm> challengeOrder;
  private final Nonces nonces;
  private final NonceCountTracker tracker;
  private final String opaque;
  private final String dummyMd5Ha1;
  private final String dummySha256Ha1;

  public DigestAuthenticator(DigestConfig config, Clock clock, NonceCountTracker tracker) {
    this.realm = config.realm();
    this.challengeOrder = config.challengeOrder();
    this.nonces = new Nonces(config.key(), realm, config.nonceLifetime(), clock);
    this.tracker = tracker;
    this.opaque = deriveOpaque(config.key(), realm);
    // Random, never stored: an unknown user goes through exactly the same hashing as a known one.
    byte[] r = new byte[16];
    new SecureRandom().nextBytes(r);
    String secret = HexFormat.of().formatHex(r);
    this.dummyMd5Ha1 = DigestAlgorithm.MD5.ha1(secret, realm, secret);
    this.dummySha256Ha1 = DigestAlgorithm.SHA_256.ha1(secret, realm, secret);
  }

  /** With the default in-memory (per node) nonce-count tracker. */
  public DigestAuthenticator(DigestConfig config, Clock clock) {
    this(
        config,
        clock,
        new InMemoryNonceCountTracker(config.maxTrackedNonces(), config.nonceLifetime(), clock));
  }

  public String realm() {
    return realm;
  }

  /**
   * Header values for {@code WWW-Authenticate} or {@code Proxy-Authenticate}, one per algorithm in
   * {@link DigestConfig#challengeOrder()} (MD5 then SHA-256 by default, for client compatibility).
   * All carry the same nonce: a client answers one of them, the nonce-count is tracked per nonce
   * either way, and minting one nonce per challenge was a second HMAC per 401 for nothing. Send
   * each as its own header.
   */
  public List<String> challenges(boolean stale) {
    String nonce = nonces.issue();
    return challengeOrder.stream().map(a -> challenge(a, nonce, stale)).toList();
  }

  /** One challenge header value for the given algorithm, with a fresh nonce. */
  public String challenge(DigestAlgorithm algorithm, boolean stale) {
    return challenge(algorithm, nonces.issue(), stale);
  }

  private String challenge(DigestAlgorithm algorithm, String nonce, boolean stale) {
    return "Digest realm=\""
        + quote(realm)
        + "\", nonce=\""
        + nonce
        + "\", opaque=\""
        + opaque
        + "\", algorithm="
        + algorithm.token()
        + ", qop=\"auth\""
        + (stale ? ", stale=true" : "");
  }

  /**
   * The MD5-only challenge for SIPE, which understands Digest only in a 407 {@code
   * Proxy-Authenticate}. It has exactly the parameters SIPE was seen to work with (realm, nonce,
   * opaque, qop); the algorithm is left to its MD5 default rather than betting on SIPE's parser.
   */
  public String md5Challenge(boolean stale) {
    return "Digest realm=\""
        + quote(realm)
        + "\", nonce=\""
        + nonces.issue()
        + "\", opaque=\""
        + opaque
        + "\", qop=\"auth\""
        + (stale ? ", stale=true" : "");
  }

  /** Classifies a nonce (exposed for callers that want to log or meter it). */
  public NonceStatus checkNonce(String nonce) {
    return nonces.check(nonce);
  }

  /**
   * Verifies credentials for a request. HA2 is computed over the {@code uri} the client sent, which
   * is deliberately not compared with the Request-URI: SIPp sends {@code sip:host:port}, SIPE the
   * literal {@code (null)}. The integrity that matters (password, nonce freshness, nc) is checked.
   *
   * @param method the SIP method of the request, e.g. {@code REGISTER}
   * @param storedHa1 hex H(username:realm:password) for {@code credentials.algorithm().base()}
   */
  public DigestOutcome verify(DigestCredentials credentials, String method, String storedHa1) {
    NonceStatus status = nonces.check(credentials.nonce());
    boolean matches = responseMatches(credentials, method, storedHa1);
    if (!matches
        || status == NonceStatus.INVALID
        || !credentials.realm().equals(realm)
        || (credentials.opaque() != null && !credentials.opaque().equals(opaque))) {
      return DigestOutcome.REJECTED;
    }
    if (status == NonceStatus.STALE) {
      return DigestOutcome.STALE;
    }
    if (credentials.qop() != null
        && !tracker.advance(credentials.nonce(), credentials.nonceCount())) {
      return DigestOutcome.REPLAYED;
    }
    return DigestOutcome.ACCEPTED;
  }

  /**
   * Does the work of {@link #verify} against a random HA1 and always returns {@link
   * DigestOutcome#REJECTED}: call it for unknown users so that they cost the same time as a wrong
   * password and the answers cannot be told apart.
   */
  public DigestOutcome verifyAgainstDummy(DigestCredentials credentials, String method) {
    String ha1 =
        credentials.algorithm().base() == DigestAlgorithm.MD5 ? dummyMd5Ha1 : dummySha256Ha1;
    nonces.check(credentials.nonce());
    responseMatches(credentials, method, ha1);
    return DigestOutcome.REJECTED;
  }

  /** The response a client with this HA1 must have sent (RFC 7616 §3.4.1, RFC 2069 without qop). */
  public static String expectedResponse(DigestCredentials c, String method, String storedHa1) {
    DigestAlgorithm h = c.algorithm().base();
    String ha1 = storedHa1.toLowerCase(java.util.Locale.ROOT);
    if (c.algorithm().isSession()) {
      ha1 = h.hashHex(ha1 + ":" + c.nonce() + ":" + c.cnonce());
    }
    String ha2 = h.hashHex(method + ":" + c.uri());
    if (c.qop() == null) {
      return h.hashHex(ha1 + ":" + c.nonce() + ":" + ha2);
    }
    return h.hashHex(
        ha1 + ":" + c.nonce() + ":" + c.nc() + ":" + c.cnonce() + ":" + c.qop() + ":" + ha2);
  }

  private static boolean responseMatches(DigestCredentials c, String method, String storedHa1) {
    String expected = expectedResponse(c, method, storedHa1);
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        c.response().getBytes(StandardCharsets.US_ASCII));
  }

  private static String deriveOpaque(byte[] key, String realm) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] full = mac.doFinal(("parley-opaque:" + realm).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(java.util.Arrays.copyOf(full, 12));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String quote(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
