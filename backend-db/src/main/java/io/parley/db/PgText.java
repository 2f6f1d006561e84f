package io.parley.db;

/**
 * PostgreSQL's text types cannot hold U+0000: a statement binding it fails as a whole ("invalid
 * byte sequence for encoding UTF8: 0x00"). SIP lets a URI carry it escaped ({@code %00}, valid per
 * RFC 4475 §3.1.1.10), so keys decoded from the network can contain it. Such a key names no stored
 * row: lookups answer "none" without asking the server, writes refuse it.
 */
public final class PgText {

  private PgText() {}

  /** Whether every value can be bound as PostgreSQL text. */
  public static boolean storable(String... values) {
    for (String v : values) {
      if (v.indexOf('\u0000') >= 0) {
        return false;
      }
    }
    return true;
  }

  /** {@code value}, or IllegalArgumentException naming {@code what} if it holds U+0000. */
  public static String requireStorable(String value, String what) {
    if (!storable(value)) {
      throw new IllegalArgumentException(what + " contains U+0000, which cannot be stored");
    }
    return value;
  }
}
