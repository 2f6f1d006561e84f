package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {

  private static final List<String> SANS = List.of("localhost", "127.0.0.1");
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Clock at(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  private final Supplier<KeyPair> keys = KeyPool.fresh();

  private static X509Certificate first(Path p) throws Exception {
    return PemFiles.readCertificates(p).get(0);
  }

  @Test
  void firstStartCreatesAConsistentSetAndSecondStartKeepsIt(@TempDir Path dir) throws Exception {
    TlsMaterial m =
        TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    assertThat(
            List.of(
                m.caCertificate(),
                m.caKey(),
                m.nodeCertificate(),
                m.nodeKey(),
                m.rsaCertificate(),
                m.rsaKey()))
        .allSatisfy(p -> assertThat(p).exists().hasParent(dir));
    assertThat(TlsMaterial.keyType(first(m.nodeCertificate())))
        .isEqualTo(CertificateAuthority.KeyType.EC_P256);
    List<X509Certificate> rsaChain = PemFiles.readCertificates(m.rsaCertificate());
    assertThat(TlsMaterial.keyType(rsaChain.get(0)))
        .isEqualTo(CertificateAuthority.KeyType.RSA_2048);
    rsaChain.get(0).verify(first(m.caCertificate()).getPublicKey());
    assertThat(TlsMaterial.sans(rsaChain.get(0)))
        .containsExactlyInAnyOrder("parley.example.com", "localhost", "127.0.0.1");
    List<X509Certificate> chain = PemFiles.readCertificates(m.nodeCertificate());
    assertThat(chain).hasSize(2);
    chain.get(0).verify(first(m.caCertificate()).getPublicKey());
    assertThat(chain.get(1)).isEqualTo(first(m.caCertificate()));
    assertThat(TlsMaterial.sans(chain.get(0)))
        .containsExactlyInAnyOrder("parley.example.com", "localhost", "127.0.0.1");

    byte[] ca = Files.readAllBytes(m.caCertificate());
    byte[] node = Files.readAllBytes(m.nodeCertificate());
    byte[] key = Files.readAllBytes(m.nodeKey());
    byte[] rsa = Files.readAllBytes(m.rsaCertificate());
    TlsMaterial again =
        TlsMaterial.ensure(
            dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0.plusSeconds(60)), keys);
    assertThat(again).isEqualTo(m);
    assertThat(Files.readAllBytes(m.caCertificate())).isEqualTo(ca);
    assertThat(Files.readAllBytes(m.nodeCertificate())).isEqualTo(node);
    assertThat(Files.readAllBytes(m.nodeKey())).isEqualTo(key);
    assertThat(Files.readAllBytes(m.rsaCertificate())).isEqualTo(rsa);
  }

  @Test
  void anRsaNodeCertificateFromBeforeEcdsaIsReplacedAndTheCaKept(@TempDir Path dir)
      throws Exception {
    TlsMaterial m =
        TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    // What an older Parley wrote: node.pem with an RSA key, no fallback pair.
    Files.copy(m.rsaCertificate(), m.nodeCertificate(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(m.rsaKey(), m.nodeKey(), StandardCopyOption.REPLACE_EXISTING);
    Files.delete(m.rsaCertificate());
    Files.delete(m.rsaKey());
    byte[] ca = Files.readAllBytes(m.caCertificate());

    TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    assertThat(Files.readAllBytes(m.caCertificate())).isEqualTo(ca);
    assertThat(TlsMaterial.keyType(first(m.nodeCertificate())))
        .isEqualTo(CertificateAuthority.KeyType.EC_P256);
    assertThat(TlsMaterial.keyType(first(m.rsaCertificate())))
        .isEqualTo(CertificateAuthority.KeyType.RSA_2048);
    assertThat(
            CertificateAuthority.keyMatches(
                first(m.nodeCertificate()), PemFiles.readPrivateKey(m.nodeKey())))
        .isTrue();
  }

  @Test
  void expiredNodeCertificateIsReissuedUnderTheSameCa(@TempDir Path dir) throws Exception {
    TlsMaterial m =
        TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    byte[] ca = Files.readAllBytes(m.caCertificate());
    X509Certificate before = first(m.nodeCertificate());

    Instant later = T0.plus(Duration.ofDays(31));
    TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(later), keys);
    X509Certificate after = first(m.nodeCertificate());
    assertThat(Files.readAllBytes(m.caCertificate())).isEqualTo(ca);
    assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
    after.checkValidity(java.util.Date.from(later));
    after.verify(first(m.caCertificate()).getPublicKey());
    assertThat(CertificateAuthority.keyMatches(after, PemFiles.readPrivateKey(m.nodeKey())))
        .isTrue();
  }

  @Test
  void changedSansReissueTheNodeCertificateOnly(@TempDir Path dir) throws Exception {
    TlsMaterial m =
        TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    byte[] ca = Files.readAllBytes(m.caCertificate());
    TlsMaterial.ensure(
        dir,
        "parley.example.com",
        List.of("localhost", "10.1.2.3"),
        Duration.ofDays(30),
        at(T0),
        keys);
    assertThat(Files.readAllBytes(m.caCertificate())).isEqualTo(ca);
    assertThat(TlsMaterial.sans(first(m.nodeCertificate())))
        .containsExactlyInAnyOrder("parley.example.com", "localhost", "10.1.2.3");
  }

  @Test
  void corruptCaIsReplacedTogetherWithTheNodeCertificate(@TempDir Path dir) throws Exception {
    TlsMaterial m =
        TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    Files.writeString(m.caKey(), "garbage");
    TlsMaterial.ensure(dir, "parley.example.com", SANS, Duration.ofDays(30), at(T0), keys);
    first(m.nodeCertificate()).verify(first(m.caCertificate()).getPublicKey());
    assertThat(PemFiles.readPrivateKey(m.caKey())).isNotNull();
  }
}
