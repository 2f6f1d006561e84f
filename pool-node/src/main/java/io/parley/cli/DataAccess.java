package io.parley.cli;

import io.parley.db.Database;
import io.parley.db.DatabaseConfig;
import io.parley.db.EmbeddedDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens Parley's database for the CLI: an external PostgreSQL by JDBC URL, or the embedded one in a
 * standalone data folder. When a standalone node already runs on that folder, its PostgreSQL is
 * used over localhost (one data folder can only be opened by one PostgreSQL), so {@code parley user
 * ...} works against a running node too.
 */
final class DataAccess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DataAccess.class);

  /** Settings key under which a standalone node records its SIP domain. */
  static final String DOMAIN_SETTING = "sip.domain";

  private final @Nullable EmbeddedDatabase embedded;
  private final Database database;

  private DataAccess(@Nullable EmbeddedDatabase embedded, Database database) {
    this.embedded = embedded;
    this.database = database;
  }

  static Path databaseDir(Path dataDir) {
    return dataDir.resolve("db");
  }

  /** Opens the database the options name. Blocking: call from a plain thread (the CLI's). */
  static DataAccess open(DataOptions options, int poolSize) {
    if (options.jdbcUrl != null) {
      String password = Optional.ofNullable(System.getenv(options.dbPasswordEnv)).orElse("");
      String user = options.dbUser == null ? "parley" : options.dbUser;
      return new DataAccess(
          null, Database.open(new DatabaseConfig(options.jdbcUrl, user, password, poolSize)));
    }
    Path dbDir = databaseDir(options.dataDir.toAbsolutePath().normalize());
    Optional<Integer> runningPort = runningPostgresPort(dbDir);
    if (runningPort.isPresent()) {
      log.debug("using the PostgreSQL of the running node on port {}", runningPort.get());
      String url = "jdbc:postgresql://localhost:" + runningPort.get() + "/postgres";
      return new DataAccess(
          null, Database.open(new DatabaseConfig(url, EmbeddedDatabase.USER, "", poolSize)));
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(dbDir);
    try {
      return new DataAccess(embedded, Database.open(embedded.config(poolSize)));
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  /** Opens (creating if needed) the embedded database of a standalone node. */
  static DataAccess openEmbedded(Path dataDir, int poolSize) {
    Path dbDir = databaseDir(dataDir);
    if (runningPostgresPort(dbDir).isPresent()) {
      throw new CliErrors.CliException(
          "another Parley node is already running on " + dataDir + " (stop it first)");
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(dbDir);
    try {
      return new DataAccess(embedded, Database.open(embedded.config(poolSize)));
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  /**
   * The port of a PostgreSQL serving {@code dbDir} whose owning node is alive, read from
   * postmaster.pid (line 4 is the port). Empty when nothing runs there or its owner died.
   */
  static Optional<Integer> runningPostgresPort(Path dbDir) {
    Path pidFile = dbDir.resolve("postmaster.pid");
    try {
      if (!Files.isRegularFile(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 4) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).strip());
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
          && StandaloneLock.isHeld(dbDir.getParent())) {
        return Optional.of(Integer.parseInt(lines.get(3).strip()));
      }
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  Database database() {
    return database;
  }

  @Override
  public void close() {
    try {
      database.close();
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
