package io.parley.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PEM files of a standalone node's TLS setup, created on first start and kept afterwards.
 *
 * <p>Layout of {@code dir}: {@code ca.pem} (the CA certificate clients must trust), {@code
 * ca-key.pem}, {@code node.pem} (node certificate with an ECDSA P-256 key, followed by the CA
 * certificate), {@code node-key.pem} (PKCS#8, mode 0600), and the same pair with an RSA 2048 key
 * for clients without ECDSA, {@code node-rsa.pem} and {@code node-rsa-key.pem}. Both node
 * certificates chain to the one CA and carry the same names; the TLS stack picks one per handshake
 * by the signature schemes the client offers. {@link #ensure} does blocking file I/O and RSA key
 * generation (up to a second): run it at startup before the event loops, or on a worker thread.
 *
 * @param caCertificate path to hand to clients (and to print), e.g. for Pidgin's certificate store
 */
public record TlsMaterial(
    Path caCertificate,
    Path caKey,
    Path nodeCertificate,
    Path nodeKey,
    Path rsaCertificate,
    Path rsaKey) {

  private static final Logger LOG = LoggerFactory.getLogger(TlsMaterial.class);

  /** The RSA fallback certificate (then the CA) next to {@code node.pem}. */
  public static final String RSA_CERTIFICATE_FILE = "node-rsa.pem";

  /** The RSA fallback certificate's key. */
  public static final String RSA_KEY_FILE = "node-rsa-key.pem";

  public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);

  /** 397 days: the longest lifetime browsers still accept for a leaf, a sane ceiling for others. */
  public static final Duration DEFAULT_NODE_VALIDITY = Duration.ofDays(397);

  /**
   * The node certificate is renewed this long before it expires, so a running node never serves an
   * expired one.
   */
  public static final Duration RENEWAL_MARGIN = Duration.ofDays(7);

  /**
   * {@link #ensure(Path, String, List, Duration, Clock)} with default validity and the system
   * clock.
   */
  public static TlsMaterial ensure(Path dir, String domain, List<String> sans) throws IOException {
    return ensure(dir, domain, sans, DEFAULT_NODE_VALIDITY, Clock.systemUTC());
  }

  /**
   * Loads the material from {@code dir}, creating or repairing what is missing. The CA is kept if
   * it is readable, consistent and valid; otherwise everything is regenerated (clients must then
   * trust the new {@code ca.pem}). The node certificate is reissued if it is missing, unreadable,
   * not signed by the CA, does not match its key, has the wrong key type (a {@code node.pem} with
   * an RSA key, as written before ECDSA, becomes ECDSA), expires within {@link #RENEWAL_MARGIN}, or
   * its SANs differ from {@code domain} + {@code sans}; the same for the RSA fallback.
   *
   * @param domain the node's FQDN, used as CN and first SAN
   * @param sans further DNS names and IP literals, e.g. {@code localhost}, {@code 127.0.0.1}
   */
  public static TlsMaterial ensure(
      Path dir, String domain, List<String> sans, Duration nodeValidity, Clock clock)
      throws IOException {
    return ensure(dir, domain, sans, nodeValidity, clock, CertificateAuthority::newKeyPair);
  }

  /** With the source of fresh RSA key pairs injected (tests: RSA key generation is slow). */
  static TlsMaterial ensure(
      Path dir,
      String domain,
      List<String> sans,
      Duration nodeValidity,
      Clock clock,
      Supplier<KeyPair> keys)
      throws IOException {
    TlsMaterial m =
        new TlsMaterial(
            dir.resolve("ca.pem"),
            dir.resolve("ca-key.pem"),
            dir.resolve("node.pem"),
            dir.resolve("node-key.pem"),
            dir.resolve(RSA_CERTIFICATE_FILE),
            dir.resolve(RSA_KEY_FILE));
    Files.createDirectories(dir);
    CertificateAuthority ca = m.loadCa(clock, keys);
    boolean newCa = ca == null;
    if (ca == null) {
      ca = CertificateAuthority.generate("Parley CA " + domain, DEFAULT_CA_VALIDITY, clock, keys);
      PemFiles.writePrivateKey(m.caKey, ca.privateKey());
      PemFiles.writeCertificates(m.caCertificate, List.of(ca.certificate()));
      LOG.info("Created a new TLS certificate authority in {}", m.caCertificate);
    }
    List<String> wanted = CertificateAuthority.effectiveSans(domain, sans);
    for (CertificateAuthority.KeyType type : CertificateAuthority.KeyType.values()) {
      Path cert =
          type == CertificateAuthority.KeyType.EC_P256 ? m.nodeCertificate : m.rsaCertificate;
      Path key = type == CertificateAuthority.KeyType.EC_P256 ? m.nodeKey : m.rsaKey;
      String reason = newCa ? "new CA" : nodeProblem(cert, key, type, ca, wanted, clock);
      if (reason != null) {
        IssuedCertificate node = ca.issue(domain, sans, nodeValidity, type);
        PemFiles.writePrivateKey(key, node.privateKey());
        PemFiles.writeCertificates(cert, node.chain());
        LOG.info("Issued {} node certificate for {} {} ({})", type, domain, wanted, reason);
      }
    }
    return m;
  }

  /** The key type of a certificate's public key, or null if neither a 256-bit EC key nor RSA. */
  public static CertificateAuthority.@Nullable KeyType keyType(X509Certificate cert) {
    return switch (cert.getPublicKey()) {
      case ECPublicKey ec when ec.getParams().getCurve().getField().getFieldSize() == 256 ->
          CertificateAuthority.KeyType.EC_P256;
      case RSAPublicKey rsa -> CertificateAuthority.KeyType.RSA_2048;
      default -> null;
    };
  }

  private @Nullable CertificateAuthority loadCa(Clock clock, Supplier<KeyPair> keys) {
    if (!Files.exists(caCertificate) || !Files.exists(caKey)) {
      return null;
    }
    try {
      X509Certificate cert = PemFiles.readCertificates(caCertificate).get(0);
      PrivateKey key = PemFiles.readPrivateKey(caKey);
      cert.checkValidity(Date.from(clock.instant()));
      return CertificateAuthority.of(cert, key, clock, keys);
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      LOG.warn(
          "Existing CA in {} is unusable, creating a new one: {}", caCertificate, e.toString());
      return null;
    }
  }

  /** Why a node certificate must be reissued, or null if it is fine. */
  private static @Nullable String nodeProblem(
      Path certificate,
      Path privateKey,
      CertificateAuthority.KeyType type,
      CertificateAuthority ca,
      List<String> wantedSans,
      Clock clock) {
    if (!Files.exists(certificate) || !Files.exists(privateKey)) {
      return "missing";
    }
    try {
      X509Certificate cert = PemFiles.readCertificates(certificate).get(0);
      PrivateKey key = PemFiles.readPrivateKey(privateKey);
      cert.verify(ca.certificate().getPublicKey());
      if (!CertificateAuthority.keyMatches(cert, key)) {
        return "key mismatch";
      }
      if (keyType(cert) != type) {
        return "key type " + cert.getPublicKey().getAlgorithm() + " instead of " + type;
      }
      Instant renewAt = cert.getNotAfter().toInstant().minus(RENEWAL_MARGIN);
      if (!clock.instant().isBefore(renewAt)) {
        return "expired or expiring";
      }
      if (!canonical(sans(cert)).equals(canonical(wantedSans))) {
        return "SANs changed";
      }
      return null;
    } catch (IOException | GeneralSecurityException e) {
      return "unreadable: " + e;
    }
  }

  /** DNS names and IP addresses of a certificate's SAN extension, as strings. */
  public static List<String> sans(X509Certificate cert) throws CertificateParsingException {
    List<String> result = new ArrayList<>();
    var all = cert.getSubjectAlternativeNames();
    if (all != null) {
      for (List<?> entry : all) {
        int type = (Integer) entry.get(0);
        if (type == 2 || type == 7) {
          result.add(normaliseIp(type, (String) entry.get(1)));
        }
      }
    }
    return result;
  }

  private static String normaliseIp(int type, String value) {
    if (type != 7 || value.indexOf(':') < 0) {
      return value;
    }
    // The JDK prints IPv6 SANs fully expanded; compare in canonical form.
    try {
      return java.net.InetAddress.getByName(value).getHostAddress();
    } catch (java.net.UnknownHostException e) {
      return value;
    }
  }

  static Set<String> canonical(List<String> names) {
    Set<String> s = new HashSet<>();
    for (String n : names) {
      s.add(normaliseIp(CertificateAuthority.isIpLiteral(n) ? 7 : 2, n));
    }
    return s;
  }
}
