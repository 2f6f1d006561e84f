package io.parley.routing;

import io.parley.sip.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Flow tokens carried in the user part of our Record-Route URIs (the RFC 5626 §5.3 idea): each
 * names the {@link Hop} one side of a dialog is reached by. A token is {@code pf.<base64url of
 * "transport|flowId|host|port">.<base64url of a truncated HMAC-SHA256>}; the MAC key is random per
 * process (or shared by the pool's members), so a client can neither forge a token pointing at
 * someone else's connection nor read more than the hops of the dialogs it is in. After a restart
 * old tokens fail the MAC and routing falls back to the contact lookup (the connections are gone
 * anyway).
 */
final class FlowTokens {

  private static final String PREFIX = "pf.";
  private static final int MAC_BYTES = 10;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  /** Tokens only this process can read (a single node, tests). */
  FlowTokens() {
    this(randomKey());
  }

  /**
   * Tokens every holder of {@code key} can read: the pool shares one key so that a member can name
   * a connection held by another (cross-node routes) and read Record-Routes written by others.
   */
  FlowTokens(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("flow token key must have at least 16 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  private static byte[] randomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  String encode(Hop hop) {
    String payload =
        hop.transport().name()
            + "|"
            + (hop.flowId() == null ? "" : hop.flowId())
            + "|"
            + hop.host()
            + "|"
            + hop.port();
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    return PREFIX + B64.encodeToString(p) + "." + B64.encodeToString(mac(p));
  }

  /** The hop a token names, or null when it is not a token of ours (or was tampered with). */
  @Nullable Hop decode(@Nullable String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 600) {
      return null;
    }
    int dot = token.indexOf('.', PREFIX.length());
    if (dot < 0) {
      return null;
    }
    try {
      byte[] p = B64D.decode(token.substring(PREFIX.length(), dot));
      byte[] m = B64D.decode(token.substring(dot + 1));
      if (!MessageDigest.isEqual(m, mac(p))) {
        return null;
      }
      String[] f = new String(p, StandardCharsets.UTF_8).split("\\|", -1);
      if (f.length != 4) {
        return null;
      }
      Transport t = Transport.fromName(f[0]);
      if (t == null) {
        return null;
      }
      return new Hop(t, f[1].isEmpty() ? null : f[1], f[2], Integer.parseInt(f[3]));
    } catch (IllegalArgumentException e) {
      return null; // bad base64 or port: not ours
    }
  }

  private byte[] mac(byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      byte[] full = mac.doFinal(payload);
      byte[] out = new byte[MAC_BYTES];
      System.arraycopy(full, 0, out, 0, MAC_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
