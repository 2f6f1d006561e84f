package io.parley.db.user;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.MD4Digest;

/**
 * The password-equivalent hashes Parley stores instead of passwords.
 *
 * <p>HA1 is {@code hex(H(username ":" realm ":" password))} over UTF-8 (RFC 7616 section 3.4.2,
 * used by SIP through RFC 3261 and RFC 8760). Parley stores usernames lower-case and hashes that
 * lower-case form, so clients must authenticate with the lower-case username.
 */
public final class DigestHa1 {

  private static final HexFormat HEX = HexFormat.of();

  private DigestHa1() {}

  /** hex(MD5(username:realm:password)), lower-case, 32 characters. */
  public static String md5(String username, String realm, String password) {
    return digest("MD5", username, realm, password);
  }

  /** hex(SHA-256(username:realm:password)), lower-case, 64 characters. */
  public static String sha256(String username, String realm, String password) {
    return digest("SHA-256", username, realm, password);
  }

  /** The NT hash, hex(MD4(UTF-16LE(password))), lower-case, 32 characters (for NTLM). */
  public static String ntHash(String password) {
    byte[] in = password.getBytes(StandardCharsets.UTF_16LE);
    MD4Digest md4 = new MD4Digest();
    md4.update(in, 0, in.length);
    byte[] out = new byte[md4.getDigestSize()];
    md4.doFinal(out, 0);
    return HEX.formatHex(out);
  }

  private static String digest(String algorithm, String username, String realm, String password) {
    try {
      MessageDigest md = MessageDigest.getInstance(algorithm);
      byte[] in = (username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8);
      return HEX.formatHex(md.digest(in));
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide MD5 and SHA-256.
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }
}
