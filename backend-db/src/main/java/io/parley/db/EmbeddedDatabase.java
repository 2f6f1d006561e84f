package io.parley.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Only one process can use a data directory at a time (PostgreSQL's own lock refuses a second).
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  /** The superuser role and database zonky's initdb creates. */
  public static final String USER = "postgres";

  private static final String DATABASE = "postgres";

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
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setServerConfig("listen_addresses", "localhost");
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
