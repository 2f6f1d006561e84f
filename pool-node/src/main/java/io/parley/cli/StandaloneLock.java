package io.parley.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * An OS file lock held by a running standalone node on its data folder, so other {@code parley}
 * processes know a node owns the folder (and use its database instead of starting their own). The
 * OS releases it when the process dies, even by SIGKILL.
 */
final class StandaloneLock implements AutoCloseable {

  private static final String FILE = "node.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private StandaloneLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the lock, or returns null if another process holds it. */
  static @Nullable StandaloneLock tryAcquire(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    FileChannel ch =
        FileChannel.open(
            dataDir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock l = ch.tryLock();
      if (l == null) {
        ch.close();
        return null;
      }
      return new StandaloneLock(ch, l);
    } catch (OverlappingFileLockException e) {
      ch.close();
      return null;
    }
  }

  /** True if some live process (possibly this one) holds the lock on {@code dataDir}. */
  static boolean isHeld(@Nullable Path dataDir) {
    if (dataDir == null || !Files.exists(dataDir.resolve(FILE))) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(dataDir.resolve(FILE), StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
