package io.parley.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client side of Digest (RFC 7616 §3.4.1, qop=auth), computed by hand with the JDK's
 * MessageDigest and never with {@code io.parley.auth}, so a shared bug cannot make both sides
 * agree.
 */
public final class ClientDigest {

  private static final Pattern PARAM =
      Pattern.compile("([A-Za-z0-9_-]+)\\s*=\\s*(\"([^\"]*)\"|[^,\\s]+)");

  /** A fixed cnonce, so headers built from the same challenge are repeatable. */
  private static final String FIXED_CNONCE = "0a4f113b";

  private ClientDigest() {}

  /**
   * The parameters of a challenge header value ({@code Digest realm="..", ...}), lower-case keys.
   */
  public static Map<String, String> params(String challenge) {
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

  /** One parameter of a challenge; a missing one fails the test. */
  public static String param(String challenge, String name) {
    String value = params(challenge).get(name.toLowerCase(Locale.ROOT));
    if (value == null) {
      throw new AssertionError(name + " missing in " + challenge);
    }
    return value;
  }

  /**
   * The Authorization (or Proxy-Authorization) value answering {@code challenge} (MD5 or SHA-256 as
   * it says), with nonce count {@code nc} (8 hex digits) and the given cnonce. The challenge's
   * opaque, if any, is echoed.
   */
  public static String authorization(
      String challenge,
      String user,
      String password,
      String method,
      String uri,
      String nc,
      String cnonce) {
    Map<String, String> c = params(challenge);
    String algorithm = c.getOrDefault("algorithm", "MD5");
    String realm = param(challenge, "realm");
    String nonce = param(challenge, "nonce");
    String ha1 = hash(algorithm, user + ":" + realm + ":" + password);
    String ha2 = hash(algorithm, method + ":" + uri);
    String response = hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
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
            .append(", qop=auth, nc=")
            .append(nc)
            .append(", cnonce=\"")
            .append(cnonce)
            .append('"');
    if (c.containsKey("opaque")) {
      b.append(", opaque=\"").append(c.get("opaque")).append('"');
    }
    return b.toString();
  }

  /**
   * As {@link #authorization(String, String, String, String, String, String, String)}, fixed
   * cnonce.
   */
  public static String authorization(
      String challenge, String user, String password, String method, String uri, String nc) {
    return authorization(challenge, user, password, method, uri, nc, FIXED_CNONCE);
  }

  /** The credentials value for nonce count {@code nc} with a fresh random cnonce. */
  public static String answer(
      String challenge, String user, String password, String method, String uri, int nc) {
    String cnonce = HexFormat.of().formatHex(UUID.randomUUID().toString().getBytes(), 0, 8);
    return authorization(challenge, user, password, method, uri, String.format("%08x", nc), cnonce);
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
