package io.parley.auth;

import java.time.Duration;
import java.util.List;

/**
 * Configuration of a {@link DigestAuthenticator}.
 *
 * @param realm the realm shown to users and hashed into HA1 (e.g. the SIP domain)
 * @param key HMAC key for nonces and opaque, at least 16 random bytes, the same on all pool nodes;
 *     the caller generates and persists it
 * @param nonceLifetime how long a nonce is accepted before answers get {@code stale=true}
 * @param maxTrackedNonces bound of the per-node nonce-count replay tracker
 * @param challengeOrder the algorithms challenged, one header each, in this order. Many deployed
 *     clients (SIPp 3.6, SIPE, older phones) answer only the first challenge and give up when it is
 *     not MD5, and RFC 7616 §3.7 has clients take the first one they support; so the default puts
 *     MD5 first, SHA-256 second. Put SHA-256 first where every client supports it.
 */
public record DigestConfig(
    String realm,
    byte[] key,
    Duration nonceLifetime,
    int maxTrackedNonces,
    List<DigestAlgorithm> challengeOrder) {

  /** MD5 then SHA-256: what works with the most clients (see {@code challengeOrder}). */
  public static final List<DigestAlgorithm> DEFAULT_CHALLENGE_ORDER =
      List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256);

  public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofSeconds(300);
  public static final int DEFAULT_MAX_TRACKED_NONCES = 100_000;

  public DigestConfig {
    key = key.clone();
    challengeOrder = List.copyOf(challengeOrder);
    if (challengeOrder.isEmpty()) {
      throw new IllegalArgumentException("at least one challenge algorithm");
    }
  }

  public DigestConfig(String realm, byte[] key, Duration nonceLifetime, int maxTrackedNonces) {
    this(realm, key, nonceLifetime, maxTrackedNonces, DEFAULT_CHALLENGE_ORDER);
  }

  public DigestConfig(String realm, byte[] key) {
    this(realm, key, DEFAULT_NONCE_LIFETIME, DEFAULT_MAX_TRACKED_NONCES);
  }

  @Override
  public byte[] key() {
    return key.clone();
  }
}
