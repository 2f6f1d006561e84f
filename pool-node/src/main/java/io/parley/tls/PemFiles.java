package io.parley.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * PEM encoding of certificate chains and PKCS#8 private keys, in the form Vert.x {@code
 * PemKeyCertOptions}/{@code PemTrustOptions} load. File methods block: call them at startup or on a
 * worker thread, never on an event loop.
 */
public final class PemFiles {

  private static final Set<PosixFilePermission> KEY_PERMISSIONS =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> CERT_PERMISSIONS =
      PosixFilePermissions.fromString("rw-r--r--");

  private PemFiles() {}

  /** Certificates as concatenated {@code CERTIFICATE} blocks, in the given order. */
  public static String certificatesToPem(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (X509Certificate c : certificates) {
        w.writeObject(c);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** An unencrypted PKCS#8 {@code PRIVATE KEY} block. */
  public static String privateKeyToPem(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Parses every {@code CERTIFICATE} block of a PEM text. */
  public static List<X509Certificate> certificatesFromPem(String pem) throws CertificateException {
    List<X509Certificate> result = new ArrayList<>();
    for (var c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      result.add((X509Certificate) c);
    }
    if (result.isEmpty()) {
      throw new CertificateException("no certificate in PEM");
    }
    return result;
  }

  /** Parses a PKCS#8 {@code PRIVATE KEY} (or a legacy PKCS#1 {@code RSA PRIVATE KEY}) block. */
  public static PrivateKey privateKeyFromPem(String pem) throws IOException {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) {
        return conv.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return conv.getKeyPair(pair).getPrivate();
      }
      throw new IOException("no unencrypted private key in PEM");
    }
  }

  public static List<X509Certificate> readCertificates(Path file)
      throws IOException, CertificateException {
    return certificatesFromPem(Files.readString(file, StandardCharsets.US_ASCII));
  }

  public static PrivateKey readPrivateKey(Path file) throws IOException {
    return privateKeyFromPem(Files.readString(file, StandardCharsets.US_ASCII));
  }

  /** Writes certificates (mode 0644 on POSIX), atomically replacing the file. */
  public static void writeCertificates(Path file, List<X509Certificate> certificates)
      throws IOException {
    writeAtomically(file, certificatesToPem(certificates), CERT_PERMISSIONS);
  }

  /**
   * Writes a key readable by the owner only (mode 0600 on POSIX), atomically replacing the file.
   */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    writeAtomically(file, privateKeyToPem(key), KEY_PERMISSIONS);
  }

  private static void writeAtomically(Path file, String content, Set<PosixFilePermission> perms)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    // The temp file gets its final mode at creation, so a key is never readable by others.
    Path tmp =
        posix
            ? Files.createTempFile(
                dir, ".tmp-", ".pem", PosixFilePermissions.asFileAttribute(KEY_PERMISSIONS))
            : Files.createTempFile(dir, ".tmp-", ".pem");
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      if (posix) {
        Files.setPosixFilePermissions(tmp, perms);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
