package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Resolves header names straight from wire bytes: known names (any case, compact forms) are found
 * in an open-addressing table without creating a String; only unknown names allocate.
 */
final class HeaderNames {
  private HeaderNames() {}

  private static final int SIZE = 512; // power of two, > 3x the known names
  private static final byte[][] KEYS = new byte[SIZE][];
  private static final HeaderName[] VALUES = new HeaderName[SIZE];

  static {
    for (Map.Entry<String, HeaderName> e : HeaderName.knownByKey().entrySet()) {
      byte[] k = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
      int slot = hash(k, 0, k.length) & (SIZE - 1);
      while (KEYS[slot] != null) slot = (slot + 1) & (SIZE - 1);
      KEYS[slot] = k;
      VALUES[slot] = e.getValue();
    }
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  private static int hash(byte[] b, int s, int e) {
    int h = 0;
    for (int i = s; i < e; i++) h = h * 31 + lower(b[i]);
    return h ^ (h >>> 9);
  }

  static HeaderName lookup(byte[] b, int s, int e) {
    int slot = hash(b, s, e) & (SIZE - 1);
    while (true) {
      byte[] k = KEYS[slot];
      if (k == null) break;
      if (k.length == e - s && matches(k, b, s)) return VALUES[slot];
      slot = (slot + 1) & (SIZE - 1);
    }
    return HeaderName.of(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
  }

  private static boolean matches(byte[] key, byte[] b, int s) {
    for (int i = 0; i < key.length; i++) if (key[i] != lower(b[s + i])) return false;
    return true;
  }
}
