package io.parley.sip.message;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One Via value (RFC 3261 §20.42). Any protocol name/version token is accepted when reading and
 * SIP/2.0 is written; LWS around '/' and ':' is accepted. {@code received} may hold an IPv6 address
 * with or without brackets (RFC 5118 §4.5).
 *
 * @param transport upper-case: UDP, TCP, TLS, SCTP, WS, or any other token
 * @param host IPv6 references keep their brackets
 * @param port -1 when absent
 * @param params ordered, lower-case keys, "" for flags
 */
public record Via(String transport, String host, int port, Map<String, String> params) {

  private static final String COOKIE = "z9hG4bK";

  public @Nullable String branch() {
    return params.get("branch");
  }

  /** The branch starts with the RFC 3261 magic cookie and has something after it. */
  public boolean hasRfc3261Branch() {
    String b = branch();
    return b != null && b.length() > COOKIE.length() && b.startsWith(COOKIE);
  }

  public @Nullable String received() {
    return params.get("received");
  }

  public boolean hasRport() {
    return params.containsKey("rport");
  }

  /** The rport value, or null when absent or present without a value. */
  public @Nullable Integer rport() {
    String v = params.get("rport");
    if (v == null || v.isEmpty()) return null;
    try {
      return Integer.valueOf(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public Via withReceived(String address) {
    return withParam("received", address);
  }

  public Via withRport(int port) {
    return withParam("rport", Integer.toString(port));
  }

  public Via withParam(String name, String value) {
    return new Via(transport, host, port, Lex.with(params, name, value));
  }

  /** Upper-cased token {@code s[from, to)}; the common ones as shared constants. */
  private static String transport(String s, int from, int to) {
    int n = to - from;
    for (String known : KNOWN_TRANSPORTS) {
      if (known.length() == n && s.regionMatches(true, from, known, 0, n)) return known;
    }
    return s.substring(from, to).toUpperCase(Locale.ROOT);
  }

  private static final String[] KNOWN_TRANSPORTS = {"TLS", "TCP", "UDP", "WS", "WSS", "SCTP"};

  public static Via parse(String value) throws SipParseException {
    String s = value.strip();
    int n = s.length();
    int i = 0;
    String transport = "";
    for (int p = 0; p < 3; p++) {
      i = Lex.skipWs(s, i);
      int ts = i;
      while (i < n && Lex.isTokenChar(s.charAt(i))) i++;
      if (i == ts) throw new SipParseException("Bad Via");
      if (p == 2) transport = transport(s, ts, i);
      i = Lex.skipWs(s, i);
      if (p < 2) {
        if (i >= n || s.charAt(i) != '/') throw new SipParseException("Bad Via");
        i++;
      }
    }
    int hs = i;
    if (i < n && s.charAt(i) == '[') {
      int close = s.indexOf(']', i);
      if (close < 0) throw new SipParseException("Bad Via");
      for (int j = i + 1; j < close; j++) {
        char c = s.charAt(j);
        if (Lex.hex(c) < 0 && c != ':' && c != '.') throw new SipParseException("Bad Via");
      }
      i = close + 1;
    } else {
      while (i < n
          && (Character.isLetterOrDigit(s.charAt(i)) && s.charAt(i) < 128
              || s.charAt(i) == '-'
              || s.charAt(i) == '.'
              || s.charAt(i) == '_')) {
        i++;
      }
    }
    if (i == hs) throw new SipParseException("Bad Via");
    String host = s.substring(hs, i);
    int port = -1;
    int j = Lex.skipWs(s, i);
    if (j < n && s.charAt(j) == ':') {
      j = Lex.skipWs(s, j + 1);
      int ps = j;
      while (j < n && s.charAt(j) >= '0' && s.charAt(j) <= '9' && j - ps < 6) j++;
      if (j == ps || j - ps > 5) throw new SipParseException("Bad Via");
      port = Integer.parseInt(s, ps, j, 10);
      if (port > 65535) throw new SipParseException("Bad Via");
      i = j;
    }
    Map<String, String> params = Lex.params(s, i, "Via");
    return new Via(transport, host, port, params);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(64).append("SIP/2.0/").append(transport).append(' ');
    sb.append(host);
    if (port >= 0) sb.append(':').append(port);
    Lex.appendParams(sb, params);
    return sb.toString();
  }
}
