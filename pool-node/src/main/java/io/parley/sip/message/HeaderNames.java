package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves header names straight from wire bytes: known names (any case, compact forms) are found
 * by length and first letter without creating a String; only unknown names allocate.
 */
final class HeaderNames {
  private HeaderNames() {}

  private static final int MAX = 32;
  private static final HeaderName[] COMPACT = new HeaderName[128];
  // by length, then by lower-case first letter: candidate keys and their headers
  private static final byte[][][][] KEYS = new byte[MAX][][][];
  private static final HeaderName[][][] VALUES = new HeaderName[MAX][][];

  static {
    @SuppressWarnings("unchecked")
    List<Map.Entry<String, HeaderName>>[][] tmp = new List[MAX][128];
    for (Map.Entry<String, HeaderName> e : HeaderName.knownByKey().entrySet()) {
      String k = e.getKey();
      if (k.length() == 1) {
        COMPACT[k.charAt(0)] = e.getValue();
      } else if (k.length() < MAX) {
        List<Map.Entry<String, HeaderName>> l = tmp[k.length()][k.charAt(0)];
        if (l == null) tmp[k.length()][k.charAt(0)] = l = new ArrayList<>();
        l.add(e);
      }
    }
    for (int n = 0; n < MAX; n++) {
      KEYS[n] = new byte[128][][];
      VALUES[n] = new HeaderName[128][];
      for (int c = 0; c < 128; c++) {
        List<Map.Entry<String, HeaderName>> l = tmp[n][c];
        if (l == null) continue;
        KEYS[n][c] = new byte[l.size()][];
        VALUES[n][c] = new HeaderName[l.size()];
        for (int j = 0; j < l.size(); j++) {
          KEYS[n][c][j] = l.get(j).getKey().getBytes(StandardCharsets.ISO_8859_1);
          VALUES[n][c][j] = l.get(j).getValue();
        }
      }
    }
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  static HeaderName lookup(byte[] b, int s, int e) {
    int n = e - s;
    if (n > 0 && n < MAX) {
      int first = lower(b[s]) & 0x7f;
      if (n == 1) {
        HeaderName h = COMPACT[first];
        if (h != null) return h;
      } else {
        byte[][] keys = KEYS[n][first];
        if (keys != null) {
          for (int j = 0; j < keys.length; j++) {
            if (matches(keys[j], b, s)) return VALUES[n][first][j];
          }
        }
      }
    }
    return HeaderName.of(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
  }

  private static boolean matches(byte[] key, byte[] b, int s) {
    for (int i = 1; i < key.length; i++) if (key[i] != lower(b[s + i])) return false;
    return true;
  }
}
