package io.parley.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code Authorization}/{@code Proxy-Authorization} values (RFC 7235 §2.1 credentials with
 * RFC 7616 §3.4 parameters). Input is hostile: every outcome is a {@link DigestParseResult}, no
 * exception escapes, and the work is linear in a length-capped input.
 */
public final class DigestCredentialsParser {

  /** Longer values are refused before any work; real ones are a few hundred bytes. */
  public static final int MAX_LENGTH = 4096;

  private static final Set<String> KNOWN =
      Set.of(
          "username",
          "realm",
          "nonce",
          "uri",
          "response",
          "algorithm",
          "cnonce",
          "nc",
          "qop",
          "opaque",
          "userhash");

  private DigestCredentialsParser() {}

  /** Parses one header value, e.g. {@code Digest username="bob", realm="x", ...}. */
  public static DigestParseResult parse(@Nullable String value) {
    try {
      return doParse(value);
    } catch (RuntimeException e) {
      // Defensive: the parser is written not to throw, but a bug must not become a 500.
      return new DigestParseResult.Malformed("unparseable");
    }
  }

  private static DigestParseResult doParse(@Nullable String value) {
    if (value == null) {
      return new DigestParseResult.NotDigest();
    }
    if (value.length() > MAX_LENGTH) {
      return new DigestParseResult.Malformed("too long");
    }
    Cursor c = new Cursor(value);
    c.skipWs();
    String scheme = c.token();
    if (scheme.isEmpty() || !scheme.equalsIgnoreCase("Digest")) {
      return new DigestParseResult.NotDigest();
    }
    if (!c.atEnd() && !c.isWs()) {
      return new DigestParseResult.NotDigest();
    }
    Map<String, String> params = new HashMap<>();
    while (true) {
      c.skipWs();
      while (c.peek() == ',') {
        c.advance();
        c.skipWs();
      }
      if (c.atEnd()) {
        break;
      }
      String name = c.token().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        return new DigestParseResult.Malformed("expected parameter name at " + c.pos);
      }
      c.skipWs();
      if (c.peek() != '=') {
        return new DigestParseResult.Malformed("expected '=' after " + name);
      }
      c.advance();
      c.skipWs();
      String v;
      if (c.peek() == '"') {
        v = c.quoted();
        if (v == null) {
          return new DigestParseResult.Malformed("unterminated quoted string in " + name);
        }
      } else {
        v = c.token();
        if (v.isEmpty()) {
          return new DigestParseResult.Malformed("empty value for " + name);
        }
      }
      if (KNOWN.contains(name) && params.putIfAbsent(name, v) != null) {
        return new DigestParseResult.Malformed("duplicate " + name);
      }
      c.skipWs();
      if (!c.atEnd() && c.peek() != ',') {
        return new DigestParseResult.Malformed("expected ',' at " + c.pos);
      }
    }
    return build(params);
  }

  private static DigestParseResult build(Map<String, String> p) {
    for (String required : new String[] {"username", "realm", "nonce", "uri", "response"}) {
      if (!p.containsKey(required)) {
        return new DigestParseResult.Malformed("missing " + required);
      }
    }
    DigestAlgorithm algorithm = DigestAlgorithm.MD5;
    String alg = p.get("algorithm");
    if (alg != null) {
      Optional<DigestAlgorithm> a = DigestAlgorithm.fromToken(alg);
      if (a.isEmpty()) {
        return new DigestParseResult.Malformed("unsupported algorithm");
      }
      algorithm = a.get();
    }
    String userhash = p.get("userhash");
    if (userhash != null && !userhash.equalsIgnoreCase("false")) {
      return new DigestParseResult.Malformed("userhash not supported");
    }
    String response = p.get("response").toLowerCase(Locale.ROOT);
    if (response.length() != algorithm.hexLength() || !isHex(response)) {
      return new DigestParseResult.Malformed("bad response");
    }
    String qop = p.get("qop");
    String nc = null;
    long count = -1;
    String cnonce = null;
    if (qop != null) {
      if (!qop.equalsIgnoreCase("auth")) {
        return new DigestParseResult.Malformed("unsupported qop");
      }
      qop = "auth";
      nc = p.get("nc");
      cnonce = p.get("cnonce");
      if (nc == null || cnonce == null || cnonce.isEmpty()) {
        return new DigestParseResult.Malformed("qop needs nc and cnonce");
      }
      if (nc.length() != 8 || !isHex(nc)) {
        return new DigestParseResult.Malformed("bad nc");
      }
      count = Long.parseLong(nc, 16);
    } else if (algorithm.isSession()) {
      return new DigestParseResult.Malformed("-sess needs qop");
    }
    return new DigestParseResult.Parsed(
        new DigestCredentials(
            p.get("username"),
            p.get("realm"),
            p.get("nonce"),
            p.get("uri"),
            response,
            algorithm,
            qop,
            nc,
            count,
            cnonce,
            p.get("opaque")));
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.digit(s.charAt(i), 16) < 0 || s.charAt(i) > 'f') {
        return false;
      }
    }
    return true;
  }

  /** A tiny scanner over the header value. */
  private static final class Cursor {
    private final String s;
    private int pos;

    Cursor(String s) {
      this.s = s;
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    char peek() {
      return atEnd() ? '\0' : s.charAt(pos);
    }

    void advance() {
      pos++;
    }

    boolean isWs() {
      char ch = peek();
      return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
    }

    void skipWs() {
      while (!atEnd() && isWs()) {
        pos++;
      }
    }

    /** RFC 7230 tchar run; may be empty. */
    String token() {
      int start = pos;
      while (!atEnd() && isTchar(s.charAt(pos))) {
        pos++;
      }
      return s.substring(start, pos);
    }

    /**
     * A quoted-string starting at the opening quote, or null if unterminated. Only {@code \"} and
     * {@code \\} are treated as escapes: SIPE sends {@code username="EXAMPLE\\alice"} with a bare
     * backslash and hashes it literally, so any other backslash is kept as is.
     */
    @Nullable String quoted() {
      pos++; // opening quote
      StringBuilder b = new StringBuilder();
      while (!atEnd()) {
        char ch = s.charAt(pos++);
        if (ch == '"') {
          return b.toString();
        }
        if (ch == '\\' && !atEnd() && (s.charAt(pos) == '"' || s.charAt(pos) == '\\')) {
          b.append(s.charAt(pos++));
        } else {
          b.append(ch);
        }
      }
      return null;
    }

    private static boolean isTchar(char ch) {
      return (ch >= 'a' && ch <= 'z')
          || (ch >= 'A' && ch <= 'Z')
          || (ch >= '0' && ch <= '9')
          || "!#$%&'*+-.^_`|~/".indexOf(ch) >= 0;
    }
  }
}
