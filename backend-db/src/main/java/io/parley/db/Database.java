package io.parley.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.db.settings.SettingsRepository;
import io.parley.db.user.CredentialRepository;
import io.parley.db.user.UserImporter;
import io.parley.db.user.UserRepository;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database runtime of one node: a HikariCP pool, the schema brought up to date by Flyway, and a
 * jOOQ {@link DSLContext} with the repositories built on it.
 *
 * <p><b>Everything here is blocking JDBC.</b> Call it from worker threads (Vert.x {@code
 * executeBlocking}, a worker verticle or virtual threads), never from an event loop.
 *
 * <p>Several nodes may open the same database at once: Flyway serialises concurrent migrations with
 * a PostgreSQL advisory lock, so only one applies each migration and the others find it done.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  static {
    // jOOQ prints a banner and tips on first use; a server log is no place for them.
    if (System.getProperty("org.jooq.no-logo") == null) {
      System.setProperty("org.jooq.no-logo", "true");
    }
    if (System.getProperty("org.jooq.no-tips") == null) {
      System.setProperty("org.jooq.no-tips", "true");
    }
  }

  private final HikariDataSource dataSource;
  private final DSLContext dsl;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES, new Settings().withExecuteLogging(false));
  }

  /**
   * Creates the pool and migrates the schema. Blocks until both are done.
   *
   * @throws org.flywaydb.core.api.FlywayException if the schema cannot be migrated
   * @throws RuntimeException if PostgreSQL cannot be reached
   */
  public static Database open(DatabaseConfig config) {
    HikariConfig hikari = new HikariConfig();
    hikari.setJdbcUrl(config.jdbcUrl());
    hikari.setUsername(config.user());
    hikari.setPassword(config.password());
    hikari.setMaximumPoolSize(config.poolSize());
    hikari.setMinimumIdle(Math.min(2, config.poolSize()));
    // When PostgreSQL is down, callers must learn it in seconds (and answer 503), not wait the
    // default 30 s per request while worker threads pile up.
    hikari.setConnectionTimeout(3_000);
    hikari.setValidationTimeout(2_000);
    hikari.setPoolName("parley-db");
    HikariDataSource ds = new HikariDataSource(hikari);
    try {
      MigrateResult result = migrate(config);
      log.info(
          "database schema at version {} ({} migration(s) applied now) on {}",
          result.targetSchemaVersion != null
              ? result.targetSchemaVersion
              : result.initialSchemaVersion,
          result.migrationsExecuted,
          config.jdbcUrl());
      return new Database(ds);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  /**
   * Flyway gets its own unpooled connections: it holds two at once (lock and migration), which
   * would deadlock a pool of size 1.
   */
  private static MigrateResult migrate(DatabaseConfig config) {
    return Flyway.configure()
        .dataSource(config.jdbcUrl(), config.user(), config.password())
        .locations("classpath:db/migration")
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .load()
        .migrate();
  }

  /** The jOOQ entry point over the pool (blocking). */
  public DSLContext dsl() {
    return dsl;
  }

  /** The pooled data source, for code that needs raw JDBC (blocking). */
  public DataSource dataSource() {
    return dataSource;
  }

  /** A new user repository over this pool. */
  public UserRepository users() {
    return new UserRepository(dsl);
  }

  /** A new credential lookup over this pool. */
  public CredentialRepository credentials() {
    return new CredentialRepository(dsl);
  }

  /** A new settings repository over this pool. */
  public io.parley.db.presence.PresenceRuleRepository presenceRules() {
    return new io.parley.db.presence.PresenceRuleRepository(dsl);
  }

  public io.parley.db.contacts.ContactListRepository contactLists() {
    return new io.parley.db.contacts.ContactListRepository(dsl);
  }

  public io.parley.db.contacts.PresenceRuleSetRepository presenceRuleSets() {
    return new io.parley.db.contacts.PresenceRuleSetRepository(dsl);
  }

  public SettingsRepository settings() {
    return new SettingsRepository(dsl);
  }

  /** A new bulk importer over this pool. */
  public UserImporter importer() {
    return new UserImporter(dsl);
  }

  /** Closes the pool; in-flight statements finish or fail. */
  @Override
  public void close() {
    dataSource.close();
  }
}
