package io.parley.ops;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root (holding {@code deploy/}) from the module's working directory. */
final class DeployFiles {

  private DeployFiles() {}

  static Path root() {
    Path dir =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy"))) {
        return p;
      }
    }
    throw new IllegalStateException("no deploy/ directory above " + dir);
  }
}
