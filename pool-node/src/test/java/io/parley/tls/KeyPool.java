package io.parley.tls;

import java.security.KeyPair;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * RSA key generation costs up to a second per key; tests that only care about certificate handling
 * draw distinct keys from a small pool generated once per JVM.
 */
final class KeyPool {
  private static List<KeyPair> pool;

  private KeyPool() {}

  // Filled lazily outside the class initialiser: a parallel stream inside <clinit> deadlocks.
  private static synchronized List<KeyPair> pool() {
    if (pool == null) {
      pool =
          IntStream.range(0, 4)
              .parallel()
              .mapToObj(i -> CertificateAuthority.newKeyPair())
              .toList();
    }
    return pool;
  }

  /** A supplier handing out the pooled keys in turn: distinct for up to 4 calls. */
  static Supplier<KeyPair> fresh() {
    List<KeyPair> keys = pool();
    int[] next = {0};
    return () -> keys.get(next[0]++ % keys.size());
  }
}
