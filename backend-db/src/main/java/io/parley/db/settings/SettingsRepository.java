package io.parley.db.settings;

import static io.parley.db.generated.Tables.SETTINGS;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Pool-wide persistent settings: a key/value table shared by every node.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop.
 */
public final class SettingsRepository {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final DSLContext dsl;

  public SettingsRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** The value stored under {@code key}, if any. */
  public Optional<byte[]> get(String key) {
    requireKey(key);
    return dsl.select(SETTINGS.VALUE)
        .from(SETTINGS)
        .where(SETTINGS.KEY.eq(key))
        .fetchOptional(SETTINGS.VALUE);
  }

  /** The UTF-8 text stored under {@code key}, if any. */
  public Optional<String> getString(String key) {
    return get(key).map(v -> new String(v, StandardCharsets.UTF_8));
  }

  /** Stores {@code value} under {@code key}, replacing any previous value. */
  public void put(String key, byte[] value) {
    requireKey(key);
    dsl.insertInto(SETTINGS)
        .set(SETTINGS.KEY, key)
        .set(SETTINGS.VALUE, value)
        .onConflict(SETTINGS.KEY)
        .doUpdate()
        .set(SETTINGS.VALUE, value)
        .set(SETTINGS.UPDATED_AT, DSL.currentOffsetDateTime())
        .execute();
  }

  /** Stores {@code value} as UTF-8 under {@code key}, replacing any previous value. */
  public void putString(String key, String value) {
    put(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The value under {@code key}; if there is none, stores {@code initial.get()} first. When several
   * nodes race, exactly one value wins and every caller gets that same value.
   *
   * <p>Why it is safe: {@code INSERT ... ON CONFLICT DO NOTHING} waits for a concurrent insert of
   * the same key to commit and then does nothing, so the following read sees the winner's row.
   */
  public byte[] getOrCreate(String key, Supplier<byte[]> initial) {
    Optional<byte[]> existing = get(key); // validates the key
    if (existing.isPresent()) {
      return existing.get();
    }
    dsl.insertInto(SETTINGS)
        .set(SETTINGS.KEY, key)
        .set(SETTINGS.VALUE, initial.get())
        .onConflictDoNothing()
        .execute();
    return get(key)
        .orElseThrow(() -> new IllegalStateException("setting vanished after insert: " + key));
  }

  /**
   * A random secret of {@code length} bytes under {@code key}, created on first use and then the
   * same on every node and after restarts (e.g. the digest nonce HMAC key).
   */
  public byte[] getOrCreateSecret(String key, int length) {
    if (length < 16 || length > 1024) {
      throw new IllegalArgumentException("secret length must be 16..1024 bytes: " + length);
    }
    return getOrCreate(
        key,
        () -> {
          byte[] secret = new byte[length];
          RANDOM.nextBytes(secret);
          return secret;
        });
  }

  /** Keys are 1 to 200 characters (the column width). */
  private static void requireKey(String key) {
    if (key.isEmpty() || key.length() > 200) {
      throw new IllegalArgumentException("setting key must be 1..200 characters");
    }
  }
}
