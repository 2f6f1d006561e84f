package io.parley.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority for a Parley deployment that has no certificates of its own.
 *
 * <p>A generated CA has an RSA 2048 key and signs with SHA256withRSA, so a chain under it is
 * verifiable by every TLS stack we must serve, including ones without ECDSA (Windows XP-era
 * SChannel). Node certificates get an ECDSA P-256 key by default ({@link KeyType#EC_P256}): the
 * server signs in every full handshake, and a P-256 signature costs a fraction of an RSA 2048 one;
 * a second, RSA 2048 certificate ({@link KeyType#RSA_2048}) serves the clients that offer no ECDSA
 * signature scheme. A CA given by the administrator may have an RSA or an EC key; it signs with
 * SHA-256 in either case. Only the JDK providers are used at run time; Bouncy Castle only builds
 * the ASN.1 structures.
 */
public final class CertificateAuthority {

  /** The key of an issued certificate. */
  public enum KeyType {
    /** ECDSA on NIST P-256 (secp256r1): cheap handshakes; every current TLS stack has it. */
    EC_P256,
    /** RSA 2048: for clients that offer no ECDSA signature scheme. */
    RSA_2048
  }

  public static final String KEY_ALGORITHM = "RSA";
  public static final int KEY_SIZE = 2048;
  public static final String SIGNATURE_ALGORITHM = "SHA256withRSA";

  /** Certificates start an hour in the past so a peer whose clock lags a bit still accepts them. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey privateKey;
  private final Clock clock;
  private final Supplier<KeyPair> keys;

  private CertificateAuthority(
      X509Certificate certificate, PrivateKey privateKey, Clock clock, Supplier<KeyPair> keys) {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.clock = clock;
    this.keys = keys;
  }

  /** A fresh RSA 2048 key pair from the JDK provider. */
  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(KEY_ALGORITHM);
      g.initialize(KEY_SIZE, RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA unavailable", e);
    }
  }

  /** A fresh ECDSA P-256 key pair from the JDK provider (about a millisecond). */
  public static KeyPair newEcKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 unavailable", e);
    }
  }

  /** Creates a new self-signed CA (basicConstraints CA:true, pathLen 0; keyCertSign, cRLSign). */
  public static CertificateAuthority generate(String commonName, Duration validity, Clock clock) {
    return generate(commonName, validity, clock, CertificateAuthority::newKeyPair);
  }

  /**
   * As {@link #generate(String, Duration, Clock)}, drawing this CA's key and the RSA keys of the
   * certificates it issues from {@code keys} (tests pass pre-generated keys: RSA generation is
   * slow).
   */
  static CertificateAuthority generate(
      String commonName, Duration validity, Clock clock, Supplier<KeyPair> keys) {
    try {
      KeyPair kp = keys.get();
      X500Name name = name(commonName);
      Instant now = clock.instant();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity)),
              name,
              kp.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new CertificateAuthority(sign(b, kp.getPrivate()), kp.getPrivate(), clock, keys);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create CA certificate", e);
    }
  }

  /**
   * Wraps an existing CA (e.g. loaded from PEM).
   *
   * @throws IllegalArgumentException if the certificate is not a CA, its key is neither RSA nor EC,
   *     or the key does not match it
   */
  public static CertificateAuthority of(
      X509Certificate certificate, PrivateKey privateKey, Clock clock) {
    return of(certificate, privateKey, clock, CertificateAuthority::newKeyPair);
  }

  static CertificateAuthority of(
      X509Certificate certificate, PrivateKey privateKey, Clock clock, Supplier<KeyPair> keys) {
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(
          "not a CA certificate: " + certificate.getSubjectX500Principal());
    }
    if (!privateKey.getAlgorithm().equals("RSA") && !privateKey.getAlgorithm().equals("EC")) {
      throw new IllegalArgumentException(
          "CA key type " + privateKey.getAlgorithm() + " is not supported (RSA or EC)");
    }
    if (!keyMatches(certificate, privateKey)) {
      throw new IllegalArgumentException("private key does not match the CA certificate");
    }
    return new CertificateAuthority(certificate, privateKey, clock, keys);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  /** {@link #issue(String, List, Duration, KeyType)} with an ECDSA P-256 key. */
  public IssuedCertificate issue(
      String commonName, List<String> subjectAltNames, Duration validity) {
    return issue(commonName, subjectAltNames, validity, KeyType.EC_P256);
  }

  /**
   * Issues a TLS certificate usable as server and client (mutual TLS between nodes).
   *
   * @param commonName the node FQDN
   * @param subjectAltNames DNS names and IP literals (v4 or v6); the CN is added as a DNS name too,
   *     since modern clients ignore the CN
   * @param keyType the certificate's key
   */
  public IssuedCertificate issue(
      String commonName, List<String> subjectAltNames, Duration validity, KeyType keyType) {
    try {
      KeyPair kp = keyType == KeyType.EC_P256 ? newEcKeyPair() : keys.get();
      Instant now = clock.instant();
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              // The issuer DN must be byte-identical to the CA's subject for chain building.
              X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity)),
              name(commonName),
              kp.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      // keyEncipherment only for RSA: TLS 1.2 RSA key exchange; an EC key never encrypts.
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(
              keyType == KeyType.EC_P256
                  ? KeyUsage.digitalSignature
                  : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      b.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      b.addExtension(
          Extension.subjectAlternativeName, false, generalNames(commonName, subjectAltNames));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          ext.createAuthorityKeyIdentifier(certificate.getPublicKey()));
      return new IssuedCertificate(sign(b, privateKey), kp.getPrivate(), certificate);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue certificate for " + commonName, e);
    }
  }

  /** The names {@link #issue} puts in the SAN extension, in order, without duplicates. */
  public static List<String> effectiveSans(String commonName, List<String> subjectAltNames) {
    LinkedHashSet<String> all = new LinkedHashSet<>();
    all.add(commonName);
    all.addAll(subjectAltNames);
    return new ArrayList<>(all);
  }

  /** Whether {@code key} is the private half of the certificate's public key. */
  public static boolean keyMatches(X509Certificate certificate, PrivateKey key) {
    try {
      String alg = signatureAlgorithm(key);
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(certificate.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  static boolean isIpLiteral(String name) {
    if (IPV4.matcher(name).matches()) {
      return true;
    }
    if (name.indexOf(':') < 0) {
      return false;
    }
    try {
      // With a ':' the JDK only parses IPv6 literals, it never resolves.
      InetAddress.getByName(name);
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static GeneralNames generalNames(String cn, List<String> sans) {
    List<GeneralName> names = new ArrayList<>();
    for (String n : effectiveSans(cn, sans)) {
      names.add(
          isIpLiteral(n)
              ? new GeneralName(GeneralName.iPAddress, n)
              : new GeneralName(GeneralName.dNSName, n));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "Parley")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  /** SHA-256 with the signature scheme of the key: ECDSA for EC keys, PKCS#1 v1.5 for RSA. */
  static String signatureAlgorithm(PrivateKey key) {
    return key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : SIGNATURE_ALGORITHM;
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws CertificateException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key)));
    } catch (OperatorCreationException e) {
      throw new CertificateException(e);
    }
  }
}
