package io.parley.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by this process from the zonky binaries, for standalone mode and tests.
 *
 * <p>The data directory is kept between runs ({@code setCleanDataDirectory(false)}): the first
 * start runs {@code initdb}, later starts reuse the data. PostgreSQL listens on localhost only, on
 * the port asked for or, with port 0, on a free port chosen at each start: read it from {@link
 * #port()} / {@link #jdbcUrl()} rather than assuming it. Authentication is {@code trust} for the
 * {@code postgres} role, which is why it binds to localhost only.
 *
 * <p>Durability: zonky starts PostgreSQL with fsync and synchronous commit off (fine for throwaway
 * test databases); since this data is kept, both are switched back on.
 *
 * <p>Only one process can use a data directory at a time (PostgreSQL's own lock refuses a second).
 * If the previous owner was killed (e.g. {@code kill -9}), its PostgreSQL keeps running and would
 * make the next start fail; {@link #start} stops such an orphan first, but only when no live
 * process holds zonky's lock on the directory.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  /** The superuser role and database zonky's initdb creates. */
  public static final String USER = "postgres";

  private static final String DATABASE = "postgres";

  /** The file zonky locks (a process-wide OS lock) while it owns a data directory. */
  private static final String ZONKY_LOCK = "epg-lock";

  private static final long ORPHAN_STOP_SECONDS = 30;

  private final EmbeddedPostgres postgres;
  private final Path dataDir;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir) {
    this.postgres = postgres;
    this.dataDir = dataDir;
  }

  /** Starts PostgreSQL over {@code dataDir} (created if missing) on a free localhost port. */
  public static EmbeddedDatabase start(Path dataDir) {
    return start(dataDir, 0);
  }

  /**
   * Starts PostgreSQL over {@code dataDir} (created if missing).
   *
   * @param port TCP port on localhost, or 0 to pick a free one
   * @throws UncheckedIOException if the server does not start
   */
  public static EmbeddedDatabase start(Path dataDir, int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    Path dir = dataDir.toAbsolutePath();
    try {
      Files.createDirectories(dir);
      stopOrphanedPostmaster(dir);
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setServerConfig("listen_addresses", "localhost")
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on");
      if (port != 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres pg = builder.start();
      log.info("embedded PostgreSQL started on localhost:{} with data in {}", pg.getPort(), dir);
      return new EmbeddedDatabase(pg, dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dir, e);
    }
  }

  /**
   * Stops a PostgreSQL left running on {@code dir} by a process that died without shutting it down.
   * Does nothing if there is no such server, or if a live process still owns the directory.
   */
  private static void stopOrphanedPostmaster(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.size() < 2) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).strip());
    } catch (NumberFormatException e) {
      return;
    }
    if (!Path.of(lines.get(1).strip()).toAbsolutePath().normalize().equals(dir.normalize())) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    // A stale pid file whose pid is gone or reused by something else is PostgreSQL's own business.
    boolean isPostgres =
        process
            .flatMap(p -> p.info().command())
            .map(c -> c.endsWith("/postgres") || c.endsWith("\\postgres.exe"))
            .orElse(false);
    if (!isPostgres || !ownerIsGone(dir)) {
      return;
    }
    ProcessHandle postmaster = process.get();
    log.warn("stopping PostgreSQL (pid {}) left running on {} by a process that died", pid, dir);
    // SIGTERM asks for a smart shutdown; its clients died with their process, so it ends promptly.
    postmaster.destroy();
    try {
      postmaster.onExit().get(ORPHAN_STOP_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping orphaned PostgreSQL pid " + pid, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("orphaned PostgreSQL pid " + pid + " on " + dir + " did not stop", e);
    }
  }

  /** True if no process holds zonky's lock on {@code dir}. */
  private static boolean ownerIsGone(Path dir) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            dir.resolve(ZONKY_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return false;
      }
      lock.release();
      return true;
    } catch (OverlappingFileLockException e) {
      // This very JVM owns it.
      return false;
    }
  }

  /** The TCP port PostgreSQL listens on (localhost). */
  public int port() {
    return postgres.getPort();
  }

  /** JDBC URL of the {@code postgres} database of this server. */
  public String jdbcUrl() {
    return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
  }

  /** The data directory in use. */
  public Path dataDir() {
    return dataDir;
  }

  /** A configuration for {@link Database#open} pointing at this server. */
  public DatabaseConfig config(int poolSize) {
    return new DatabaseConfig(jdbcUrl(), USER, "", poolSize);
  }

  /** Stops PostgreSQL (fast shutdown: sessions end, data is flushed); the data directory stays. */
  @Override
  public void close() {
    try {
      postgres.close();
      log.info("embedded PostgreSQL on port {} stopped", port());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stop embedded PostgreSQL in " + dataDir, e);
    }
  }
}
