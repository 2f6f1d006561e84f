package io.parley.pool;

import io.parley.config.NodeConfig;
import io.parley.db.Database;
import io.parley.tls.CertificateAuthority;
import io.parley.tls.IssuedCertificate;
import io.parley.tls.PemFiles;
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
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's TLS material: {@code ca.pem}, {@code node.pem}, {@code node-key.pem} in the configured
 * folder. Provided by the administrator (the CA key then never touches the pool), or, when the
 * folder lacks them, issued at start from the pool CA kept in the database: the first member to
 * start creates that CA, every member issues itself a certificate from it. The same CA
 * authenticates members to each other on the event bus (mutual TLS) and the nodes to SIP clients.
 */
final class PoolTls {

  private static final Logger log = LoggerFactory.getLogger(PoolTls.class);
  static final String CA_SETTING = "tls.pool-ca";
  private static final Duration NODE_VALIDITY = Duration.ofDays(397);
  private static final Duration RENEWAL_MARGIN = Duration.ofDays(7);

  private PoolTls() {}

  /** Makes sure the member's material exists and is usable; blocking (files, database). */
  static void ensure(NodeConfig config, Database db, Clock clock) throws IOException {
    NodeConfig.Tls tls = config.tls();
    if (usable(tls, clock)) {
      return;
    }
    CertificateAuthority ca = poolCa(db, clock);
    Files.createDirectories(tls.dir());
    Set<String> sans = new LinkedHashSet<>();
    sans.addAll(config.sip().domains());
    sans.add(config.sip().advertisedHost());
    sans.add(config.pool().advertisedHost());
    sans.add(config.pool().nodeId());
    sans.add("localhost");
    sans.add("127.0.0.1");
    IssuedCertificate node =
        ca.issue(config.sip().domains().get(0), new ArrayList<>(sans), NODE_VALIDITY);
    PemFiles.writePrivateKey(tls.nodeKey(), node.privateKey());
    PemFiles.writeCertificates(tls.nodeCertificate(), node.chain());
    PemFiles.writeCertificates(tls.caCertificate(), List.of(ca.certificate()));
    log.info("issued this member's certificate from the pool CA into {}", tls.dir());
  }

  private static boolean usable(NodeConfig.Tls tls, Clock clock) {
    Path cert = tls.nodeCertificate();
    if (!Files.exists(cert) || !Files.exists(tls.nodeKey()) || !Files.exists(tls.caCertificate())) {
      return false;
    }
    try {
      X509Certificate node = PemFiles.readCertificates(cert).get(0);
      X509Certificate ca = PemFiles.readCertificates(tls.caCertificate()).get(0);
      PrivateKey key = PemFiles.readPrivateKey(tls.nodeKey());
      node.verify(ca.getPublicKey());
      if (!CertificateAuthority.keyMatches(node, key)) {
        throw new IllegalStateException(cert + " does not match " + tls.nodeKey());
      }
      Instant renewAt = node.getNotAfter().toInstant().minus(RENEWAL_MARGIN);
      node.checkValidity(Date.from(clock.instant()));
      if (!clock.instant().isBefore(renewAt)) {
        log.info("the certificate in {} expires soon: issuing a new one", cert);
        return false;
      }
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalStateException(
          "TLS material in " + tls.dir() + " is unusable (" + e.getMessage() + ")", e);
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
