package io.parley.auth;

import java.time.Duration;

/**
 * Configuration of a {@link DigestAuthenticator}.
 *
 * @param realm the realm shown to users and hashed into HA1 (e.g. the SIP domain)
 * @param key HMAC key for nonces and opaque, at least 16 random bytes, the same on all pool nodes;
 *     the caller generates and persists it
 * @param nonceLifetime how long a nonce is accepted before answers get {@code stale=true}
 * @param maxTrackedNonces bound of the per-node nonce-count replay tracker
 */
public record DigestConfig(String realm, byte[] key, Duration nonceLifetime, int maxTrackedNonces) {

  public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofSeconds(300);
  public static final int DEFAULT_MAX_TRACKED_NONCES = 100_000;

  public DigestConfig {
    key = key.clone();
  }

  public DigestConfig(String realm, byte[] key) {
    this(realm, key, DEFAULT_NONCE_LIFETIME, DEFAULT_MAX_TRACKED_NONCES);
  }

  @Override
  public byte[] key() {
    return key.clone();
  }
}
