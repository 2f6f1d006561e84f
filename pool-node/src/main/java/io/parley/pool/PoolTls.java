package io.parley.pool;

import io.parley.config.NodeConfig;
import io.parley.db.Database;
import io.parley.tls.CertificateAuthority;
import io.parley.tls.IssuedCertificate;
import io.parley.tls.PemFiles;
import io.parley.tls.TlsMaterial;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's TLS material: {@code ca.pem}, {@code node.pem}, {@code node-key.pem} in the configured
 * folder, optionally with an RSA fallback pair {@code node-rsa.pem}, {@code node-rsa-key.pem}.
 * Provided by the administrator (used as given; the CA key then never touches the pool), or, when
 * the folder lacks them, issued at start from the pool CA kept in the database: the first member to
 * start creates that CA, every member issues itself an ECDSA P-256 certificate (cheap handshakes)
 * and an RSA 2048 one (clients without ECDSA) from it. The same CA authenticates members to each
 * other on the event bus (mutual TLS) and the nodes to SIP clients.
 */
final class PoolTls {

  private static final Logger log = LoggerFactory.getLogger(PoolTls.class);
  static final String CA_SETTING = "tls.pool-ca";
  private static final Duration NODE_VALIDITY = Duration.ofDays(397);
  private static final Duration RENEWAL_MARGIN = Duration.ofDays(7);

  private PoolTls() {}

  /** Makes sure the member's material exists and is usable; blocking (files, database). */
  static void ensure(NodeConfig config, Database db, Clock clock) throws IOException {
    Set<String> sans = new LinkedHashSet<>();
    sans.addAll(config.sip().domains());
    sans.add(config.sip().advertisedHost());
    sans.add(config.pool().advertisedHost());
    sans.add(config.pool().nodeId());
    sans.add("localhost");
    sans.add("127.0.0.1");
    ensure(config.tls(), config.sip().domains().get(0), new ArrayList<>(sans), db, clock);
  }

  /** As above, for a member whose certificates name {@code commonName} and {@code sans}. */
  static void ensure(
      NodeConfig.Tls tls, String commonName, List<String> sans, Database db, Clock clock)
      throws IOException {
    if (usable(tls, clock)) {
      String outdated = outdatedPoolIssue(tls, db, clock);
      if (outdated == null) {
        return;
      }
      log.info("reissuing this member's certificates from the pool CA: {}", outdated);
    }
    CertificateAuthority ca = poolCa(db, clock);
    Files.createDirectories(tls.dir());
    IssuedCertificate rsa =
        ca.issue(commonName, sans, NODE_VALIDITY, CertificateAuthority.KeyType.RSA_2048);
    PemFiles.writePrivateKey(rsaKey(tls), rsa.privateKey());
    PemFiles.writeCertificates(rsaCertificate(tls), rsa.chain());
    IssuedCertificate node =
        ca.issue(commonName, sans, NODE_VALIDITY, CertificateAuthority.KeyType.EC_P256);
    PemFiles.writePrivateKey(tls.nodeKey(), node.privateKey());
    PemFiles.writeCertificates(tls.nodeCertificate(), node.chain());
    PemFiles.writeCertificates(tls.caCertificate(), List.of(ca.certificate()));
    log.info(
        "issued this member's certificates (ECDSA and RSA) from the pool CA into {}", tls.dir());
  }

  /**
   * The member's certificate(s) for Vert.x: {@code node.pem}, plus the RSA fallback when both its
   * files exist. With both, the JDK's key manager picks per handshake the one whose key type fits
   * the signature schemes the peer offers (in the peer's order of preference).
   */
  static PemKeyCertOptions keyCertOptions(NodeConfig.Tls tls) {
    PemKeyCertOptions o =
        new PemKeyCertOptions()
            .addCertPath(tls.nodeCertificate().toString())
            .addKeyPath(tls.nodeKey().toString());
    if (Files.exists(rsaCertificate(tls)) && Files.exists(rsaKey(tls))) {
      o.addCertPath(rsaCertificate(tls).toString()).addKeyPath(rsaKey(tls).toString());
    }
    return o;
  }

  static Path rsaCertificate(NodeConfig.Tls tls) {
    return tls.dir().resolve(TlsMaterial.RSA_CERTIFICATE_FILE);
  }

  static Path rsaKey(NodeConfig.Tls tls) {
    return tls.dir().resolve(TlsMaterial.RSA_KEY_FILE);
  }

  private static boolean usable(NodeConfig.Tls tls, Clock clock) {
    Path cert = tls.nodeCertificate();
    if (!Files.exists(cert) || !Files.exists(tls.nodeKey()) || !Files.exists(tls.caCertificate())) {
      return false;
    }
    try {
      X509Certificate ca = PemFiles.readCertificates(tls.caCertificate()).get(0);
      if (!pairUsable(cert, tls.nodeKey(), ca, clock)) {
        return false;
      }
      // An administrator's RSA fallback is checked the same way, so a broken one fails the start
      // instead of the handshakes of the clients that need it.
      if (Files.exists(rsaCertificate(tls)) && Files.exists(rsaKey(tls))) {
        return pairUsable(rsaCertificate(tls), rsaKey(tls), ca, clock);
      }
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException(
          "TLS material in " + tls.dir() + " is unusable (" + e.getMessage() + ")", e);
    }
  }

  /** Whether a certificate and key are valid under {@code ca}; false if expiring soon. */
  private static boolean pairUsable(Path cert, Path keyFile, X509Certificate ca, Clock clock)
      throws IOException, GeneralSecurityException {
    X509Certificate node = PemFiles.readCertificates(cert).get(0);
    PrivateKey key = PemFiles.readPrivateKey(keyFile);
    node.verify(ca.getPublicKey());
    if (!CertificateAuthority.keyMatches(node, key)) {
      throw new IllegalStateException(cert + " does not match " + keyFile);
    }
    Instant renewAt = node.getNotAfter().toInstant().minus(RENEWAL_MARGIN);
    node.checkValidity(Date.from(clock.instant()));
    if (!clock.instant().isBefore(renewAt)) {
      log.info("the certificate in {} expires soon: issuing a new one", cert);
      return false;
    }
    return true;
  }

  /**
   * Why usable material that this pool issued (its {@code ca.pem} is the pool CA of the database)
   * must be issued again, or null: before ECDSA a member got one RSA certificate, now an ECDSA one
   * with an RSA fallback. Material of another CA (the administrator's) is never touched.
   */
  private static @Nullable String outdatedPoolIssue(NodeConfig.Tls tls, Database db, Clock clock)
      throws IOException {
    Optional<byte[]> stored = db.settings().get(CA_SETTING);
    if (stored.isEmpty()) {
      return null;
    }
    try {
      X509Certificate ca = PemFiles.readCertificates(tls.caCertificate()).get(0);
      X509Certificate poolCa = storedCa(stored.get(), clock).certificate();
      if (!ca.equals(poolCa)) {
        return null;
      }
      X509Certificate node = PemFiles.readCertificates(tls.nodeCertificate()).get(0);
      if (TlsMaterial.keyType(node) != CertificateAuthority.KeyType.EC_P256) {
        return "node.pem has an " + node.getPublicKey().getAlgorithm() + " key, not ECDSA P-256";
      }
      if (!Files.exists(rsaCertificate(tls)) || !Files.exists(rsaKey(tls))) {
        return "no RSA fallback certificate";
      }
      return null;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS material in " + tls.dir() + " is unreadable", e);
    }
  }

  private static CertificateAuthority poolCa(Database db, Clock clock) throws IOException {
    byte[] stored =
        db.settings()
            .getOrCreate(
                CA_SETTING,
                () -> {
                  CertificateAuthority fresh =
                      CertificateAuthority.generate("Parley pool CA", Duration.ofDays(3650), clock);
                  String pem =
                      PemFiles.certificatesToPem(List.of(fresh.certificate()))
                          + PemFiles.privateKeyToPem(fresh.privateKey());
                  return pem.getBytes(StandardCharsets.UTF_8);
                });
    return storedCa(stored, clock);
  }

  /** The CA certificate and key stored as one PEM text; the key may be RSA or EC. */
  private static CertificateAuthority storedCa(byte[] stored, Clock clock) throws IOException {
    String pem = new String(stored, StandardCharsets.UTF_8);
    try {
      String endCert = "-----END CERTIFICATE-----";
      int split = pem.indexOf(endCert) + endCert.length();
      X509Certificate cert = PemFiles.certificatesFromPem(pem.substring(0, split)).get(0);
      PrivateKey key = PemFiles.privateKeyFromPem(pem.substring(split));
      return CertificateAuthority.of(cert, key, clock);
    } catch (GeneralSecurityException e) {
      throw new IOException("the pool CA stored in the database is unreadable", e);
    }
  }
}
