package io.parley.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Self-validating nonces: {@code base64url(issuedAtMillis(8) || random(16) || HMAC-SHA256(key,
 * issuedAt || random || realm)(32))}. Any node holding the key can validate a nonce without shared
 * state, which is what a pool behind a load balancer needs. Thread-safe.
 */
public final class Nonces {

  private static final int TS = 8;
  private static final int RANDOM = 16;
  private static final int MAC = 32;
  private static final int LENGTH = TS + RANDOM + MAC;
  private static final int ENCODED_LENGTH = (LENGTH * 4 + 2) / 3;

  /** Nodes' clocks differ a little; a nonce "from the future" within this is still fine. */
  private static final long MAX_FUTURE_SKEW_MILLIS = 30_000;

  private final byte[] key;
  private final byte[] realm;
  private final long lifetimeMillis;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  // A Mac per thread, keyed once: the provider lookup and key setup of Mac.getInstance + init cost
  // more than the HMAC of 24 bytes itself. Event loops are few and long-lived.
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  /**
   * @param key HMAC key, at least 16 bytes; shared by all nodes of a pool
   */
  public Nonces(byte[] key, String realm, Duration lifetime, Clock clock) {
    if (key.length < 16) {
      throw new IllegalArgumentException("nonce key must have at least 16 bytes");
    }
    if (lifetime.isNegative() || lifetime.isZero()) {
      throw new IllegalArgumentException("nonce lifetime must be positive");
    }
    this.key = key.clone();
    this.realm = realm.getBytes(StandardCharsets.UTF_8);
    this.lifetimeMillis = lifetime.toMillis();
    this.clock = clock;
  }

  /** A fresh nonce (URL-safe base64, no padding, so it never needs escaping when quoted). */
  public String issue() {
    ByteBuffer buf = ByteBuffer.allocate(LENGTH);
    buf.putLong(clock.millis());
    byte[] r = new byte[RANDOM];
    random.nextBytes(r);
    buf.put(r);
    buf.put(mac(buf.array(), TS + RANDOM));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(buf.array());
  }

  /** Classifies a nonce the client sent back. */
  public NonceStatus check(String nonce) {
    if (nonce.length() != ENCODED_LENGTH) {
      return NonceStatus.INVALID;
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(nonce);
    } catch (IllegalArgumentException e) {
      return NonceStatus.INVALID;
    }
    if (raw.length != LENGTH) {
      return NonceStatus.INVALID;
    }
    byte[] expected = mac(raw, TS + RANDOM);
    byte[] actual = new byte[MAC];
    System.arraycopy(raw, TS + RANDOM, actual, 0, MAC);
    if (!MessageDigest.isEqual(expected, actual)) {
      return NonceStatus.INVALID;
    }
    long issuedAt = ByteBuffer.wrap(raw, 0, TS).getLong();
    long age = clock.millis() - issuedAt;
    if (age < -MAX_FUTURE_SKEW_MILLIS || age > lifetimeMillis) {
      return NonceStatus.STALE;
    }
    return NonceStatus.VALID;
  }

  private byte[] mac(byte[] data, int len) {
    Mac mac = macs.get();
    mac.update(data, 0, len);
    mac.update(realm);
    return mac.doFinal(); // doFinal resets the Mac for the thread's next use
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
