package io.parley.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.config.NodeConfig;
import io.parley.db.Database;
import io.parley.db.EmbeddedDatabase;
import io.parley.tls.CertificateAuthority;
import io.parley.tls.IssuedCertificate;
import io.parley.tls.PemFiles;
import io.parley.tls.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A member's TLS material against a real pool database (embedded PostgreSQL). */
class PoolTlsIT {

  private static final List<String> SANS = List.of("parley.test", "localhost", "127.0.0.1");
  private static final Clock CLOCK = Clock.systemUTC();

  @TempDir static Path pgDir;
  private static EmbeddedDatabase pg;
  private static Database db;

  @TempDir Path dir;

  @BeforeAll
  static void startDatabase() {
    pg = EmbeddedDatabase.start(pgDir.resolve("pg"));
    db = Database.open(pg.config(2));
  }

  @AfterAll
  static void stopDatabase() {
    db.close();
    pg.close();
  }

  private static X509Certificate first(Path p) throws Exception {
    return PemFiles.readCertificates(p).get(0);
  }

  /** Stores a pool CA the way every Parley so far did: an RSA CA, certificate then key. */
  private static CertificateAuthority storeRsaPoolCa() {
    CertificateAuthority ca =
        CertificateAuthority.generate("Parley pool CA", Duration.ofDays(3650), CLOCK);
    db.settings()
        .put(
            PoolTls.CA_SETTING,
            (PemFiles.certificatesToPem(List.of(ca.certificate()))
                    + PemFiles.privateKeyToPem(ca.privateKey()))
                .getBytes(StandardCharsets.UTF_8));
    return ca;
  }

  @Test
  void aMemberOfAPoolWithAnRsaCaGetsAnEcdsaCertificateAndAnRsaFallback() throws Exception {
    CertificateAuthority ca = storeRsaPoolCa();
    NodeConfig.Tls tls = new NodeConfig.Tls(dir);
    PoolTls.ensure(tls, "parley.test", SANS, db, CLOCK);

    assertThat(first(tls.caCertificate())).isEqualTo(ca.certificate());
    X509Certificate node = first(tls.nodeCertificate());
    X509Certificate rsa = first(PoolTls.rsaCertificate(tls));
    assertThat(TlsMaterial.keyType(node)).isEqualTo(CertificateAuthority.KeyType.EC_P256);
    assertThat(TlsMaterial.keyType(rsa)).isEqualTo(CertificateAuthority.KeyType.RSA_2048);
    node.verify(ca.certificate().getPublicKey());
    rsa.verify(ca.certificate().getPublicKey());
    assertThat(TlsMaterial.sans(node)).containsAll(SANS);
    assertThat(PoolTls.keyCertOptions(tls).getCertPaths()).hasSize(2);
  }

  @Test
  void materialThePoolIssuedBeforeEcdsaIsReissuedUnderTheSameCa() throws Exception {
    CertificateAuthority ca = storeRsaPoolCa();
    NodeConfig.Tls tls = new NodeConfig.Tls(dir);
    // What an older member wrote: one RSA certificate, no fallback pair.
    IssuedCertificate old =
        ca.issue("parley.test", SANS, Duration.ofDays(397), CertificateAuthority.KeyType.RSA_2048);
    PemFiles.writePrivateKey(tls.nodeKey(), old.privateKey());
    PemFiles.writeCertificates(tls.nodeCertificate(), old.chain());
    PemFiles.writeCertificates(tls.caCertificate(), List.of(ca.certificate()));

    PoolTls.ensure(tls, "parley.test", SANS, db, CLOCK);

    assertThat(first(tls.caCertificate())).isEqualTo(ca.certificate());
    assertThat(TlsMaterial.keyType(first(tls.nodeCertificate())))
        .isEqualTo(CertificateAuthority.KeyType.EC_P256);
    assertThat(first(PoolTls.rsaCertificate(tls)).getSerialNumber())
        .isNotEqualTo(old.certificate().getSerialNumber());
    assertThat(
            CertificateAuthority.keyMatches(
                first(tls.nodeCertificate()), PemFiles.readPrivateKey(tls.nodeKey())))
        .isTrue();

    // Up to date now: a second start changes nothing.
    byte[] before = Files.readAllBytes(tls.nodeCertificate());
    PoolTls.ensure(tls, "parley.test", SANS, db, CLOCK);
    assertThat(Files.readAllBytes(tls.nodeCertificate())).isEqualTo(before);
  }

  @Test
  void theAdministratorsRsaMaterialIsUsedAsGiven() throws Exception {
    storeRsaPoolCa();
    CertificateAuthority own =
        CertificateAuthority.generate("Corporate CA", Duration.ofDays(30), CLOCK);
    NodeConfig.Tls tls = new NodeConfig.Tls(dir);
    IssuedCertificate given =
        own.issue("parley.test", SANS, Duration.ofDays(30), CertificateAuthority.KeyType.RSA_2048);
    PemFiles.writePrivateKey(tls.nodeKey(), given.privateKey());
    PemFiles.writeCertificates(tls.nodeCertificate(), given.chain());
    PemFiles.writeCertificates(tls.caCertificate(), List.of(own.certificate()));
    byte[] node = Files.readAllBytes(tls.nodeCertificate());

    PoolTls.ensure(tls, "parley.test", SANS, db, CLOCK);

    assertThat(Files.readAllBytes(tls.nodeCertificate())).isEqualTo(node);
    assertThat(PoolTls.rsaCertificate(tls)).doesNotExist();
    assertThat(PoolTls.keyCertOptions(tls).getCertPaths()).hasSize(1);
  }
}
