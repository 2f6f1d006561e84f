package io.parley.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An independent client-side Digest computation, so tests do not check the code with itself. */
final class DigestTestSupport {
  private DigestTestSupport() {}

  static String hex(String jcaAlgorithm, String data) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance(jcaAlgorithm)
                  .digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String param(String challenge, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=\"?([^\",]*)\"?").matcher(challenge);
    if (!m.find()) {
      throw new AssertionError(name + " not in " + challenge);
    }
    return m.group(1);
  }

  /** response = H(H(u:r:p):nonce:nc:cnonce:auth:H(method:uri)) */
  static String clientResponse(
      String jca,
      String user,
      String realm,
      String password,
      String method,
      String uri,
      String nonce,
      String nc,
      String cnonce) {
    String ha1 = hex(jca, user + ":" + realm + ":" + password);
    String ha2 = hex(jca, method + ":" + uri);
    return hex(jca, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
  }
}
