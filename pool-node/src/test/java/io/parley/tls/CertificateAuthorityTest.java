package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

  private static CertificateAuthority ca;
  private static IssuedCertificate node;

  @BeforeAll
  static void issue() {
    ca = CertificateAuthority.generate("Test CA", Duration.ofDays(30), Clock.systemUTC());
    node =
        ca.issue(
            "node1.example.com",
            List.of("localhost", "127.0.0.1", "example.com", "::1"),
            Duration.ofDays(10));
  }

  private static X509TrustManager trusting(X509Certificate anchor) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", anchor);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    return (X509TrustManager) tmf.getTrustManagers()[0];
  }

  @Test
  void issuedChainValidatesWithThePkixValidatorAgainstTheCa() throws Exception {
    var path =
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(node.certificate()));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(path, params);

    trusting(ca.certificate())
        .checkServerTrusted(node.chain().toArray(X509Certificate[]::new), "ECDHE_RSA");
  }

  @Test
  void chainIsRejectedByATrustManagerOfAnotherCa() throws Exception {
    CertificateAuthority other =
        CertificateAuthority.generate("Other CA", Duration.ofDays(1), Clock.systemUTC());
    X509TrustManager tm = trusting(other.certificate());
    assertThatThrownBy(
            () -> tm.checkServerTrusted(node.chain().toArray(X509Certificate[]::new), "ECDHE_RSA"))
        .isInstanceOf(CertificateException.class);

    var path =
        CertificateFactory.getInstance("X.509").generateCertPath(List.of(node.certificate()));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(other.certificate(), null)));
    params.setRevocationEnabled(false);
    assertThatThrownBy(() -> CertPathValidator.getInstance("PKIX").validate(path, params))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void nodeCertificateCarriesCnSansAndServerAndClientUsage() throws Exception {
    X509Certificate c = node.certificate();
    assertThat(c.getSubjectX500Principal().getName()).contains("CN=node1.example.com");
    assertThat(TlsMaterial.sans(c))
        .contains("node1.example.com", "localhost", "example.com", "127.0.0.1");
    assertThat(c.getSubjectAlternativeNames())
        .anySatisfy(
            e ->
                assertThat(e.get(0))
                    .isEqualTo(7)
                    .matches(x -> e.get(1).toString().startsWith("0:0:0:0:0:0:0:1")));
    assertThat(c.getExtendedKeyUsage())
        .containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(c.getBasicConstraints()).isEqualTo(-1);
    assertThat(c.getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(TlsMaterial.keyType(c)).isEqualTo(CertificateAuthority.KeyType.EC_P256);
    assertThat(c.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(c.getKeyUsage()[2]).as("keyEncipherment: never for an EC key").isFalse();
    assertThat(c.getNotAfter().getTime() - System.currentTimeMillis())
        .isBetween(Duration.ofDays(9).toMillis(), Duration.ofDays(10).toMillis());
  }

  @Test
  void rsaFallbackCertificateHasAnRsaKeyUnderTheSameCa() throws Exception {
    IssuedCertificate rsa =
        ca.issue(
            "node1.example.com",
            List.of("localhost"),
            Duration.ofDays(10),
            CertificateAuthority.KeyType.RSA_2048);
    X509Certificate c = rsa.certificate();
    assertThat(c.getPublicKey().getAlgorithm()).isEqualTo("RSA");
    assertThat(c.getKeyUsage()[2]).as("keyEncipherment").isTrue();
    assertThat(CertificateAuthority.keyMatches(c, rsa.privateKey())).isTrue();
    trusting(ca.certificate())
        .checkServerTrusted(rsa.chain().toArray(X509Certificate[]::new), "ECDHE_RSA");
  }

  @Test
  void anEcCaGivenByTheAdministratorIssuesBothKeyTypes() throws Exception {
    // An EC CA as an administrator might make it (here with this class, then reloaded via of()).
    java.security.KeyPair ecKeys = CertificateAuthority.newEcKeyPair();
    CertificateAuthority ec =
        CertificateAuthority.generate(
            "EC CA", Duration.ofDays(30), Clock.systemUTC(), () -> ecKeys);
    assertThat(ec.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
    CertificateAuthority reloaded =
        CertificateAuthority.of(ec.certificate(), ec.privateKey(), Clock.systemUTC());
    for (CertificateAuthority.KeyType type : CertificateAuthority.KeyType.values()) {
      IssuedCertificate leaf = reloaded.issue("n.example.com", List.of(), Duration.ofDays(1), type);
      assertThat(leaf.certificate().getSigAlgName()).isEqualTo("SHA256withECDSA");
      assertThat(TlsMaterial.keyType(leaf.certificate())).isEqualTo(type);
      trusting(ec.certificate())
          .checkServerTrusted(
              leaf.chain().toArray(X509Certificate[]::new),
              type == CertificateAuthority.KeyType.EC_P256 ? "ECDHE_ECDSA" : "ECDHE_RSA");
    }
  }

  @Test
  void caCertificateIsMarkedAsCaForSigningCertificates() {
    X509Certificate c = ca.certificate();
    assertThat(c.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    boolean[] ku = c.getKeyUsage();
    assertThat(ku[5]).as("keyCertSign").isTrue();
    assertThat(c.getSubjectX500Principal()).isEqualTo(c.getIssuerX500Principal());
  }

  @Test
  void ofRefusesAKeyThatDoesNotMatch() {
    assertThatThrownBy(
            () -> CertificateAuthority.of(ca.certificate(), node.privateKey(), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> CertificateAuthority.of(node.certificate(), node.privateKey(), Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
