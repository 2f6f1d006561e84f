package io.parley.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/** The Digest {@code algorithm} values we accept (RFC 7616 §3.3). */
public enum DigestAlgorithm {
  MD5("MD5", "MD5", false),
  MD5_SESS("MD5-sess", "MD5", true),
  SHA_256("SHA-256", "SHA-256", false),
  SHA_256_SESS("SHA-256-sess", "SHA-256", true);

  private final String token;
  private final String jcaName;
  private final boolean session;

  DigestAlgorithm(String token, String jcaName, boolean session) {
    this.token = token;
    this.jcaName = jcaName;
    this.session = session;
  }

  /** The token as written on the wire, e.g. {@code SHA-256}. */
  public String token() {
    return token;
  }

  /** Whether this is a {@code -sess} variant (HA1 folds in nonce and cnonce). */
  public boolean isSession() {
    return session;
  }

  /**
   * The algorithm whose stored HA1 ({@code H(user:realm:password)}) is needed: the {@code -sess}
   * variants reuse the plain one.
   */
  public DigestAlgorithm base() {
    return switch (this) {
      case MD5, MD5_SESS -> MD5;
      case SHA_256, SHA_256_SESS -> SHA_256;
    };
  }

  /** Length in hex characters of a digest of this algorithm. */
  public int hexLength() {
    return base() == MD5 ? 32 : 64;
  }

  /** Parses a wire token case-insensitively (RFC 7616 says tokens are case-insensitive). */
  public static Optional<DigestAlgorithm> fromToken(String token) {
    String t = token.toLowerCase(Locale.ROOT);
    for (DigestAlgorithm a : values()) {
      if (a.token.toLowerCase(Locale.ROOT).equals(t)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** Lower-case hex of the hash of the UTF-8 bytes of {@code data}. */
  public String hashHex(String data) {
    return HexFormat.of().formatHex(digest().digest(data.getBytes(StandardCharsets.UTF_8)));
  }

  /** HA1 = H(username:realm:password), the value a credential store keeps instead of passwords. */
  public String ha1(String username, String realm, String password) {
    return base().hashHex(username + ":" + realm + ":" + password);
  }

  private MessageDigest digest() {
    try {
      return MessageDigest.getInstance(jcaName);
    } catch (NoSuchAlgorithmException e) {
      // MD5 and SHA-256 are mandatory in every Java SE platform.
      throw new IllegalStateException(e);
    }
  }
}
