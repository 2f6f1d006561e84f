package io.parley.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A leaf certificate with its private key and the CA certificate that signed it. */
public record IssuedCertificate(
    X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {

  /** Leaf first, then the CA: the order TLS servers send. */
  public List<X509Certificate> chain() {
    return List.of(certificate, issuer);
  }
}
