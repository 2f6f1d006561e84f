package io.parley.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA and a server certificate for {@code localhost} / {@code 127.0.0.1}, made with
 * Bouncy Castle at test time.
 */
public final class TestCertificates {

  public static final char[] PASSWORD = "changeit".toCharArray();

  private final KeyPair caKeys;
  private final X509Certificate ca;
  private final KeyPair serverKeys;
  private final X509Certificate server;

  private TestCertificates(String cn) throws GeneralSecurityException {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(256);
      caKeys = gen.generateKeyPair();
      Instant now = Instant.now();
      X500Name caName = new X500Name("CN=Parley Test CA " + cn);
      X509v3CertificateBuilder cab =
          new JcaX509v3CertificateBuilder(
              caName,
              BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(2))),
              caName,
              caKeys.getPublic());
      cab.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      cab.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ContentSigner caSigner =
          new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate());
      ca = new JcaX509CertificateConverter().getCertificate(cab.build(caSigner));

      serverKeys = gen.generateKeyPair();
      X509v3CertificateBuilder sb =
          new JcaX509v3CertificateBuilder(
              caName,
              BigInteger.valueOf(new SecureRandom().nextLong() & Long.MAX_VALUE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(2))),
              new X500Name("CN=" + cn),
              serverKeys.getPublic());
      sb.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      sb.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
      server = new JcaX509CertificateConverter().getCertificate(sb.build(caSigner));
    } catch (org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.cert.CertIOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** A new CA and server certificate; {@code cn} names the server certificate. */
  public static TestCertificates create(String cn) {
    try {
      return new TestCertificates(cn);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  public X509Certificate serverCertificate() {
    return server;
  }

  /** Key and chain for a Vert.x server. */
  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions()
        .setKeyValue(Buffer.buffer(pem(pkcs8(serverKeys.getPrivate()))))
        .setCertValue(Buffer.buffer(pem(server) + pem(ca)));
  }

  /** Trust in this CA for a Vert.x client. */
  public PemTrustOptions trustOptions() {
    return new PemTrustOptions().addCertValue(Buffer.buffer(pem(ca)));
  }

  /** Writes a PKCS12 key store with the server key and chain (password {@link #PASSWORD}). */
  public Path writeKeyStore(Path file) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", serverKeys.getPrivate(), PASSWORD, new Certificate[] {server, ca});
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, PASSWORD);
    }
    return file;
  }

  /** Writes a PKCS12 trust store holding the CA (password {@link #PASSWORD}). */
  public Path writeTrustStore(Path file) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca);
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, PASSWORD);
    }
    return file;
  }

  private static Object pkcs8(java.security.PrivateKey key) {
    try {
      return new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null).generate();
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object o) {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
      pw.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }
}
