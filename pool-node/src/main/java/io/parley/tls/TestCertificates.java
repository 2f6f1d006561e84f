package io.parley.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Throw-away certificates made in memory, for tests of TLS transports (JAIN-SIP, Vert.x, JDK
 * sockets). Lives in main code because it is tiny and several modules' tests need it; nothing in
 * production calls it.
 */
public final class TestCertificates {

  /** Password of the key stores this class builds. */
  public static final char[] PASSWORD = "parley-test".toCharArray();

  private final CertificateAuthority authority;
  private final IssuedCertificate server;

  private TestCertificates(CertificateAuthority authority, IssuedCertificate server) {
    this.authority = authority;
    this.server = server;
  }

  /** A fresh CA and a one-day certificate for {@code commonName} plus {@code sans}. */
  public static TestCertificates create(String commonName, String... sans) {
    Clock clock = Clock.systemUTC();
    CertificateAuthority ca =
        CertificateAuthority.generate("Parley Test CA", Duration.ofDays(2), clock);
    return new TestCertificates(ca, ca.issue(commonName, List.of(sans), Duration.ofDays(1)));
  }

  /** For {@code localhost}, {@code 127.0.0.1} and {@code ::1}. */
  public static TestCertificates localhost() {
    return create("localhost", "127.0.0.1", "::1");
  }

  public CertificateAuthority authority() {
    return authority;
  }

  public IssuedCertificate server() {
    return server;
  }

  public String caPem() {
    return PemFiles.certificatesToPem(List.of(authority.certificate()));
  }

  /** Leaf then CA, for Vert.x {@code PemKeyCertOptions.setCertValue}. */
  public String certificateChainPem() {
    return PemFiles.certificatesToPem(server.chain());
  }

  /** PKCS#8, for Vert.x {@code PemKeyCertOptions.setKeyValue}. */
  public String privateKeyPem() {
    return PemFiles.privateKeyToPem(server.privateKey());
  }

  /** PKCS#12 with the key and chain under alias {@code node}, protected by {@link #PASSWORD}. */
  public KeyStore keyStore() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "node", server.privateKey(), PASSWORD, server.chain().toArray(Certificate[]::new));
      return ks;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** PKCS#12 trusting only this CA. */
  public KeyStore trustStore() {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("ca", authority.certificate());
      return ks;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An {@link SSLContext} presenting the server certificate and trusting this CA (mutual TLS). */
  public SSLContext sslContext() {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore(), PASSWORD);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), trustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An {@link SSLContext} that only trusts this CA (a client without a certificate). */
  public SSLContext clientSslContext() {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, trustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private javax.net.ssl.TrustManager[] trustManagers() throws GeneralSecurityException {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trustStore());
    return tmf.getTrustManagers();
  }
}
