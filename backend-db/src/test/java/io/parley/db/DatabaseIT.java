package io.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.db.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatabaseIT {

  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = TestDatabase.start();
  }

  @AfterAll
  static void stop() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void migrationsCreateTheSchemaOnAFreshDatabase() throws Exception {
    List<String> tables =
        db.dsl()
            .fetch(
                "select table_name from information_schema.tables"
                    + " where table_schema = 'public' order by table_name")
            .getValues(0, String.class);
    assertThat(tables)
        .containsExactly(
            "contact_entries",
            "contact_groups",
            "contact_lists",
            "credentials",
            "flyway_schema_history",
            "presence_rules",
            "settings",
            "users");
    assertThat(
            db.dsl()
                .resultQuery(
                    "select count(*) from flyway_schema_history where success and version is not null")
                .fetchSingle(0, Long.class))
        .isEqualTo(migrationCount());
  }

  @Test
  void severalNodesOpeningTheSameDatabaseAtOnceAllSucceed() throws Exception {
    db.dsl().execute("create database concurrent_open");
    String url = db.embedded().jdbcUrl().replaceAll("/postgres$", "/concurrent_open");
    DatabaseConfig config = new DatabaseConfig(url, EmbeddedDatabase.USER, "", 2);
    Callable<Long> node =
        () -> {
          try (Database d = Database.open(config)) {
            return d.users().count();
          }
        };
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Long>> results = pool.invokeAll(List.of(node, node, node));
      for (Future<Long> r : results) {
        assertThat(r.get()).isZero();
      }
    } finally {
      pool.shutdown();
    }
    try (Database d = Database.open(config)) {
      assertThat(
              d.dsl()
                  .resultQuery("select count(*) from flyway_schema_history where success")
                  .fetchSingle(0, Long.class))
          .isEqualTo(migrationCount());
    }
  }

  /** Every migration file is applied exactly once. */
  private static long migrationCount() throws java.io.IOException {
    try (var files =
        java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
      return files.count();
    }
  }

  @Test
  void embeddedServerRunsTheCurrentPostgresMajorNotTheEndOfLifeDefault() {
    int version = db.dsl().resultQuery("show server_version_num").fetchSingle(0, Integer.class);
    assertThat(version / 10_000).isGreaterThanOrEqualTo(17);
  }

  @Test
  void configToStringHidesThePassword() {
    DatabaseConfig config = new DatabaseConfig("jdbc:postgresql://h/db", "u", "s3cret", 1);
    assertThat(config.toString()).doesNotContain("s3cret");
  }
}
