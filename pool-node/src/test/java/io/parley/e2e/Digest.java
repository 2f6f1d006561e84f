package io.parley.e2e;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of Digest (RFC 7616, qop=auth), computed independently of Parley's auth code with
 * the JDK's MessageDigest, so a shared bug cannot make both sides agree.
 */
final class Digest {

  private static final Pattern PARAM =
      Pattern.compile("([A-Za-z0-9_-]+)\\s*=\\s*(\"([^\"]*)\"|[^,\\s]+)");

  private Digest() {}

  /**
   * The parameters of a challenge header value ({@code Digest realm="..", ...}), lower-case keys.
   */
  static Map<String, String> params(String challenge) {
    String v = challenge.strip();
    if (v.regionMatches(true, 0, "Digest", 0, 6)) {
      v = v.substring(6);
    }
    Map<String, String> out = new HashMap<>();
    Matcher m = PARAM.matcher(v);
    while (m.find()) {
      out.put(m.group(1).toLowerCase(Locale.ROOT), m.group(3) != null ? m.group(3) : m.group(2));
    }
    return out;
  }

  /** The credentials header value answering {@code challenge} for that request. */
  static String answer(
      String challenge, String user, String password, String method, String uri, int nc) {
    Map<String, String> c = params(challenge);
    String algorithm = c.getOrDefault("algorithm", "MD5");
    String realm = c.get("realm");
    String nonce = c.get("nonce");
    String cnonce =
        HexFormat.of().formatHex(java.util.UUID.randomUUID().toString().getBytes(), 0, 8);
    String ncHex = String.format("%08x", nc);
    String ha1 = hash(algorithm, user + ":" + realm + ":" + password);
    String ha2 = hash(algorithm, method + ":" + uri);
    String response =
        hash(algorithm, ha1 + ":" + nonce + ":" + ncHex + ":" + cnonce + ":auth:" + ha2);
    StringBuilder b =
        new StringBuilder("Digest username=\"")
            .append(user)
            .append("\", realm=\"")
            .append(realm)
            .append("\", nonce=\"")
            .append(nonce)
            .append("\", uri=\"")
            .append(uri)
            .append("\", response=\"")
            .append(response)
            .append("\", algorithm=")
            .append(algorithm)
            .append(", cnonce=\"")
            .append(cnonce)
            .append("\", qop=auth, nc=")
            .append(ncHex);
    if (c.containsKey("opaque")) {
      b.append(", opaque=\"").append(c.get("opaque")).append('"');
    }
    return b.toString();
  }

  private static String hash(String algorithm, String s) {
    String jdk = algorithm.toUpperCase(Locale.ROOT).startsWith("SHA-256") ? "SHA-256" : "MD5";
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance(jdk).digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
