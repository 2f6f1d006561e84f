package io.parley.db.testing;

import io.parley.db.Database;
import io.parley.db.DatabaseConfig;
import io.parley.db.EmbeddedDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jooq.DSLContext;

/**
 * An embedded PostgreSQL in a fresh temporary directory with the Parley schema migrated, for tests.
 * Start it once per test class (it takes a few seconds) and {@link #truncateAll()} between tests if
 * they need an empty database:
 *
 * <pre>{@code
 * static TestDatabase db;
 * @BeforeAll static void start() { db = TestDatabase.start(); }
 * @AfterAll static void stop() { db.close(); }
 * }</pre>
 *
 * Other modules depend on {@code io.parley:backend-db:test-jar} (scope test) to use it.
 */
public final class TestDatabase implements AutoCloseable {

  private final Path dir;
  private final EmbeddedDatabase embedded;
  private final Database database;

  private TestDatabase(Path dir, EmbeddedDatabase embedded, Database database) {
    this.dir = dir;
    this.embedded = embedded;
    this.database = database;
  }

  /** Starts PostgreSQL on a free port in a new temporary directory and migrates the schema. */
  public static TestDatabase start() {
    Path dir;
    try {
      dir = Files.createTempDirectory("parley-test-pg");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(dir.resolve("data"));
    try {
      return new TestDatabase(dir, embedded, Database.open(embedded.config(4)));
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  /** The migrated database (pool of 4 connections). */
  public Database database() {
    return database;
  }

  /** Shortcut for {@code database().dsl()}. */
  public DSLContext dsl() {
    return database.dsl();
  }

  /** The embedded server. */
  public EmbeddedDatabase embedded() {
    return embedded;
  }

  /** A configuration for opening more pools on the same server. */
  public DatabaseConfig config(int poolSize) {
    return embedded.config(poolSize);
  }

  /** Empties every Parley table (keeps the schema). */
  public void truncateAll() {
    dsl().execute("truncate table credentials, users, settings restart identity cascade");
  }

  /** Closes the pool, stops PostgreSQL and deletes the temporary directory. */
  @Override
  public void close() {
    try {
      database.close();
    } finally {
      embedded.close();
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }
}
