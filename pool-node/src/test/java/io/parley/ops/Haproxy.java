package io.parley.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Finds an installed {@code haproxy} binary for the tests that need one. */
final class Haproxy {

  private Haproxy() {}

  static boolean available() {
    return path() != null;
  }

  static String binary() {
    Path p = path();
    if (p == null) {
      throw new IllegalStateException("haproxy not installed");
    }
    return p.toString();
  }

  private static @Nullable Path path() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "haproxy");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    for (String fixed : new String[] {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy"}) {
      Path p = Path.of(fixed);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
