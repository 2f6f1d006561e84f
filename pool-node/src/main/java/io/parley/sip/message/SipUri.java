package io.parley.sip.message;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A sip: or sips: URI (RFC 3261 §19.1). User, password, parameter and header values are held
 * <em>decoded</em> (each %HH decoded exactly once, so "%2541" is "%41" and "%00" is U+0000,
 * distinct from the empty string); {@link #toString()} re-escapes what needs escaping. IPv6 hosts
 * keep their brackets. The host is kept as written (case preserved); {@link #aor()} lower-cases it.
 *
 * <p>Decision (RFC 5118 §4.10): IPv6 references are checked for their character set only, so the
 * RFC 3261 ABNF bug form {@code [2001:db8:::192.0.2.1]} is tolerated like the correct form.
 *
 * @param port -1 when absent
 * @param params ordered, lower-case keys, "" for flag params
 * @param headers URI headers (after '?'), ordered, names as written
 */
public record SipUri(
    boolean secure,
    @Nullable String user,
    @Nullable String password,
    String host,
    int port,
    Map<String, String> params,
    Map<String, String> headers)
    implements Uri {

  @Override
  public String scheme() {
    return secure ? "sips" : "sip";
  }

  public @Nullable String param(String name) {
    return params.get(name.toLowerCase(Locale.ROOT));
  }

  public @Nullable String transport() {
    return param("transport");
  }

  public boolean lr() {
    return params.containsKey("lr");
  }

  public SipUri withParam(String name, String value) {
    return new SipUri(secure, user, password, host, port, Lex.with(params, name, value), headers);
  }

  public SipUri withoutParams() {
    return new SipUri(secure, user, password, host, port, Map.of(), headers);
  }

  /** Address-of-record form: scheme, decoded user, lower-case host; no port, params or headers. */
  public String aor() {
    String h = host.toLowerCase(Locale.ROOT);
    return user == null ? scheme() + ":" + h : scheme() + ":" + user + "@" + h;
  }

  /**
   * Parses a sip/sips URI; throws "Bad URI" (400) for anything that does not follow the grammar.
   */
  public static SipUri parse(String s) throws SipParseException {
    boolean secure;
    int i;
    if (s.regionMatches(true, 0, "sip:", 0, 4)) {
      secure = false;
      i = 4;
    } else if (s.regionMatches(true, 0, "sips:", 0, 5)) {
      secure = true;
      i = 5;
    } else {
      throw new SipParseException("Bad URI");
    }
    int n = s.length();
    String user = null;
    String password = null;
    int at = s.indexOf('@', i);
    if (at >= 0) {
      int colon = s.indexOf(':', i);
      if (colon >= at) colon = -1;
      String rawUser = s.substring(i, colon < 0 ? at : colon);
      check(rawUser, USER_T);
      user = Lex.unescape(rawUser, "URI");
      if (colon >= 0) {
        String rawPw = s.substring(colon + 1, at);
        check(rawPw, PASSWORD_T);
        password = Lex.unescape(rawPw, "URI");
      }
      i = at + 1;
    }
    int hs = i;
    if (i < n && s.charAt(i) == '[') {
      int close = s.indexOf(']', i);
      if (close < 0 || close == i + 1) throw new SipParseException("Bad URI");
      for (int j = i + 1; j < close; j++) {
        char c = s.charAt(j);
        if (Lex.hex(c) < 0 && c != ':' && c != '.') throw new SipParseException("Bad URI");
      }
      i = close + 1;
    } else {
      while (i < n && isHostChar(s.charAt(i))) i++;
      if (i == hs) throw new SipParseException("Bad URI");
    }
    String host = s.substring(hs, i);
    int port = -1;
    if (i < n && s.charAt(i) == ':') {
      int ps = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - ps < 6) i++;
      if (i == ps || i - ps > 5) throw new SipParseException("Bad URI");
      port = Integer.parseInt(s, ps, i, 10);
      if (port > 65535) throw new SipParseException("Bad URI");
    }
    Map<String, String> params = Map.of();
    if (i < n && s.charAt(i) == ';') {
      int q = s.indexOf('?', i);
      int end = q < 0 ? n : q;
      params = pairs(s, i + 1, end, ';', true, PARAM_T);
      i = end;
    }
    Map<String, String> headers = Map.of();
    if (i < n && s.charAt(i) == '?') {
      headers = pairs(s, i + 1, n, '&', false, HEADER_T);
      i = n;
    }
    if (i != n) throw new SipParseException("Bad URI");
    return new SipUri(secure, user, password, host, port, params, headers);
  }

  private static final boolean[] HOST = table("-._", false);
  private static final boolean[] USER_T = table("&=+$,;?/", true);
  private static final boolean[] PASSWORD_T = table("&=+$,", true);
  private static final boolean[] PARAM_T = table("[]/:&+$", true);
  private static final boolean[] HEADER_T = table("[]/?:+$", true);

  /** Alphanumerics plus {@code extra} (plus unreserved marks and '%' when {@code uri}). */
  private static boolean[] table(String extra, boolean uri) {
    boolean[] t = new boolean[128];
    for (int c = 0; c < 128; c++) {
      t[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || extra.indexOf(c) >= 0
              || (uri && (Lex.isUnreserved(c) || c == '%'));
    }
    return t;
  }

  private static boolean isHostChar(char c) {
    return c < 128 && HOST[c];
  }

  private static void check(String raw, boolean[] t) throws SipParseException {
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 128 || !t[c]) throw new SipParseException("Bad URI");
    }
  }

  private static void check(String s, int from, int to, boolean[] t) throws SipParseException {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= 128 || !t[c]) throw new SipParseException("Bad URI");
    }
  }

  /**
   * The {@code sep}-separated name[=value] pairs of {@code s[from, to)}, read in place (no
   * substring per part); names and values are unescaped once.
   */
  private static Map<String, String> pairs(
      String s, int from, int to, char sep, boolean lowerKeys, boolean[] t)
      throws SipParseException {
    SmallMap.Builder out = new SmallMap.Builder();
    int start = from;
    while (start <= to) {
      int end = s.indexOf(sep, start);
      if (end < 0 || end > to) end = to;
      if (end == start) throw new SipParseException("Bad URI");
      int eq = s.indexOf('=', start);
      if (eq >= end) eq = -1;
      int nameEnd = eq < 0 ? end : eq;
      if (nameEnd == start || (eq >= 0 && eq + 1 == end && lowerKeys)) {
        throw new SipParseException("Bad URI");
      }
      check(s, start, nameEnd, t);
      if (eq >= 0) check(s, eq + 1, end, t);
      String name;
      int pct = s.indexOf('%', start);
      if (pct < 0 || pct >= nameEnd) {
        // no escapes in the name: plain ASCII (checked above)
        name = lowerKeys ? Lex.lowerName(s, start, nameEnd) : s.substring(start, nameEnd);
      } else {
        name = Lex.unescape(s.substring(start, nameEnd), "URI");
        if (lowerKeys) name = name.toLowerCase(Locale.ROOT);
      }
      String value = eq < 0 ? "" : Lex.unescape(s.substring(eq + 1, end), "URI");
      out.put(name, value); // a repeated parameter keeps the first value
      start = end + 1;
    }
    return out.build();
  }

  private static final String USER_EXTRA = "&=+$,;?/";

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(64).append(secure ? "sips:" : "sip:");
    if (user != null) {
      sb.append(Lex.escape(user, c -> Lex.isUnreserved(c) || USER_EXTRA.indexOf(c) >= 0));
      if (password != null) {
        sb.append(':')
            .append(Lex.escape(password, c -> Lex.isUnreserved(c) || "&=+$,".indexOf(c) >= 0));
      }
      sb.append('@');
    }
    sb.append(host);
    if (port >= 0) sb.append(':').append(port);
    for (Map.Entry<String, String> e : params.entrySet()) {
      sb.append(';').append(Lex.escape(e.getKey(), SipUri::isParamChar));
      if (!e.getValue().isEmpty()) {
        sb.append('=').append(Lex.escape(e.getValue(), SipUri::isParamChar));
      }
    }
    char sep = '?';
    for (Map.Entry<String, String> e : headers.entrySet()) {
      sb.append(sep).append(Lex.escape(e.getKey(), SipUri::isHeaderChar));
      sb.append('=').append(Lex.escape(e.getValue(), SipUri::isHeaderChar));
      sep = '&';
    }
    return sb.toString();
  }

  private static boolean isParamChar(int c) {
    return Lex.isUnreserved(c) || "[]/:&+$".indexOf(c) >= 0;
  }

  private static boolean isHeaderChar(int c) {
    return Lex.isUnreserved(c) || "[]/?:+$".indexOf(c) >= 0;
  }
}
