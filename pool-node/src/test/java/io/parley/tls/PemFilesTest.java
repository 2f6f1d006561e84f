package io.parley.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

  private static final TestCertificates CERTS = TestCertificates.create("a.example.com");

  @Test
  void chainAndKeyRoundTripThroughFilesWithPrivateKeyModeOwnerOnly(@TempDir Path dir)
      throws Exception {
    Path chain = dir.resolve("sub/node.pem");
    Path key = dir.resolve("sub/node-key.pem");
    PemFiles.writeCertificates(chain, CERTS.server().chain());
    PemFiles.writePrivateKey(key, CERTS.server().privateKey());

    assertThat(PemFiles.readCertificates(chain)).isEqualTo(CERTS.server().chain());
    assertThat(PemFiles.readPrivateKey(key)).isEqualTo(CERTS.server().privateKey());
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(chain)))
        .isEqualTo("rw-r--r--");
    try (var files = Files.list(dir.resolve("sub"))) {
      assertThat(files).hasSize(2); // no temp files left behind
    }
  }

  @Test
  void garbageIsReportedAsAnError() {
    assertThatThrownBy(() -> PemFiles.certificatesFromPem("hello"))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> PemFiles.privateKeyFromPem(CERTS.caPem()))
        .isInstanceOf(IOException.class);
  }
}
