package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lexical helpers shared by the header parsers (RFC 3261 §25). All methods are ASCII-based. */
final class Lex {
  private Lex() {}

  private static final boolean[] TOKEN = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) TOKEN[c] = true;
    for (char c = 'A'; c <= 'Z'; c++) TOKEN[c] = true;
    for (char c = '0'; c <= '9'; c++) TOKEN[c] = true;
    for (char c : "-.!%*_+`'~".toCharArray()) TOKEN[c] = true;
  }

  static boolean isTokenChar(int c) {
    return c >= 0 && c < 128 && TOKEN[c];
  }

  static boolean isToken(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) if (!isTokenChar(s.charAt(i))) return false;
    return true;
  }

  static boolean isWs(char c) {
    return c == ' ' || c == '\t';
  }

  static int skipWs(String s, int i) {
    while (i < s.length() && isWs(s.charAt(i))) i++;
    return i;
  }

  /**
   * Splits a header value at commas that are outside quoted strings and angle brackets (RFC 3261
   * §7.3.1). Elements are trimmed; empty elements are kept so callers can reject them.
   */
  static List<String> splitComma(String v) {
    int comma = v.indexOf(',');
    if (comma < 0) return List.of(v.strip());
    List<String> out = new ArrayList<>(4);
    boolean quoted = false;
    boolean angle = false;
    int start = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (quoted) {
        if (c == '\\') i++;
        else if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == '<') {
        angle = true;
      } else if (c == '>') {
        angle = false;
      } else if (c == ',' && !angle) {
        out.add(v.substring(start, i).strip());
        start = i + 1;
      }
    }
    out.add(v.substring(start).strip());
    return out;
  }

  /** Index just past the closing quote of a quoted string starting at {@code i} (a '"'). */
  static int endOfQuoted(String s, int i) throws SipParseException {
    for (int j = i + 1; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c == '\\') j++;
      else if (c == '"') return j + 1;
    }
    throw new SipParseException("Unterminated quoted string");
  }

  /** Parameter names seen in nearly every message, shared instead of allocated per message. */
  private static final String[] COMMON_NAMES = {
    "tag",
    "branch",
    "rport",
    "received",
    "transport",
    "lr",
    "expires",
    "maddr",
    "user",
    "q",
    "method",
    "ttl",
    "+sip.instance",
    "reg-id",
    "gruu",
    "ob",
    "epid",
    "charset",
    "ms-opaque"
  };

  /**
   * {@code s[from, to)} (token characters, hence ASCII) lower-cased; a shared constant when it is a
   * common parameter name.
   */
  static String lowerName(String s, int from, int to) {
    int n = to - from;
    for (String k : COMMON_NAMES) {
      if (k.length() == n && s.regionMatches(true, from, k, 0, n)) return k;
    }
    return s.substring(from, to).toLowerCase(java.util.Locale.ROOT);
  }

  /** {@link #unquote(String)} of the quoted string {@code s[from, to)}. */
  static String unquote(String s, int from, int to) {
    int bs = s.indexOf('\\', from);
    if (bs < 0 || bs >= to) return s.substring(from + 1, to - 1); // no escapes: no copying loop
    return unquote(s.substring(from, to));
  }

  /** Removes the quotes and backslash escapes of a quoted string. */
  static String unquote(String q) {
    StringBuilder sb = new StringBuilder(q.length());
    for (int i = 1; i < q.length() - 1; i++) {
      char c = q.charAt(i);
      if (c == '\\' && i + 1 < q.length() - 1) c = q.charAt(++i);
      sb.append(c);
    }
    return sb.toString();
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') sb.append('\\');
      sb.append(c);
    }
    return sb.append('"').toString();
  }

  private static final boolean[] PARAM_VALUE = new boolean[128];

  static {
    // token chars plus what hosts (IPv6 received=) and SIP URI params may contain
    for (int c = 0; c < 128; c++) PARAM_VALUE[c] = isTokenChar(c) || ":[]/@?&=$()".indexOf(c) >= 0;
  }

  private static boolean isParamValueChar(char c) {
    return c >= 0x80 || PARAM_VALUE[c];
  }

  /**
   * Parses {@code *( SEMI generic-param )} starting at {@code i} to the end of {@code s}. Keys are
   * lower-cased; flag params get "". Values are kept as written (quoted strings keep quotes).
   */
  static Map<String, String> params(String s, int i, String what) throws SipParseException {
    int n = s.length();
    i = skipWs(s, i);
    if (i >= n) return Map.of();
    SmallMap.Builder out = new SmallMap.Builder();
    while (true) {
      i = skipWs(s, i);
      if (i >= n) break;
      if (s.charAt(i) != ';') throw new SipParseException("Bad " + what);
      i = skipWs(s, i + 1);
      int ns = i;
      while (i < n && isTokenChar(s.charAt(i))) i++;
      if (i == ns) throw new SipParseException("Bad " + what);
      String name = lowerName(s, ns, i);
      i = skipWs(s, i);
      String value = "";
      if (i < n && s.charAt(i) == '=') {
        i = skipWs(s, i + 1);
        if (i < n && s.charAt(i) == '"') {
          int e = endOfQuoted(s, i);
          value = s.substring(i, e);
          i = e;
        } else {
          int vs = i;
          while (i < n && isParamValueChar(s.charAt(i))) i++;
          if (i == vs) throw new SipParseException("Bad " + what);
          value = s.substring(vs, i);
        }
      }
      if (!out.put(name, value)) {
        throw new SipParseException("Bad " + what);
      }
    }
    return out.build();
  }

  static void appendParams(StringBuilder sb, Map<String, String> params) {
    for (Map.Entry<String, String> e : params.entrySet()) {
      sb.append(';').append(e.getKey());
      if (!e.getValue().isEmpty()) sb.append('=').append(e.getValue());
    }
  }

  static Map<String, String> with(Map<String, String> params, String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(params);
    m.put(key.toLowerCase(java.util.Locale.ROOT), value);
    return Collections.unmodifiableMap(m);
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  /**
   * Decodes %HH escapes exactly once (so "%2541" becomes "%41", never "A"); %00 yields U+0000. The
   * decoded octets are read as UTF-8.
   */
  static String unescape(String s, String what) throws SipParseException {
    int p = s.indexOf('%');
    if (p < 0) return s;
    byte[] out = new byte[s.length() * 3];
    int o = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) throw new SipParseException("Bad " + what);
        int h = hex(s.charAt(i + 1));
        int l = hex(s.charAt(i + 2));
        if (h < 0 || l < 0) throw new SipParseException("Bad " + what);
        out[o++] = (byte) (h << 4 | l);
        i += 2;
      } else if (c < 0x80) {
        out[o++] = (byte) c;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, out, o, b.length);
        o += b.length;
      }
    }
    return new String(out, 0, o, StandardCharsets.UTF_8);
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Escapes every octet of the UTF-8 form of {@code s} that {@code allowed} does not accept. */
  static String escape(String s, java.util.function.IntPredicate allowed) {
    boolean clean = true;
    for (int i = 0; i < s.length() && clean; i++) clean = allowed.test(s.charAt(i));
    if (clean) return s;
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c < 0x80 && allowed.test(c)) sb.append((char) c);
      else sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
    }
    return sb.toString();
  }

  static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-_.!~*'()".indexOf(c) >= 0;
  }
}
