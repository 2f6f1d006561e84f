package io.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pool members starting at the same moment against an empty database: one migrates, all run. */
class ConcurrentMigrationIT {

  @TempDir Path dir;

  @Test
  void membersStartingTogetherMigrateAnEmptySchemaOnce() throws Exception {
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"))) {
      int members = 4;
      CyclicBarrier together = new CyclicBarrier(members);
      ExecutorService pool = Executors.newFixedThreadPool(members);
      List<Future<Database>> opened = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        opened.add(
            pool.submit(
                () -> {
                  together.await();
                  return Database.open(pg.config(2));
                }));
      }
      List<Database> dbs = new ArrayList<>();
      for (Future<Database> f : opened) {
        dbs.add(f.get());
      }
      pool.shutdown();
      try {
        // Every migration is recorded exactly once, all successful.
        var history =
            dbs.get(0)
                .dsl()
                .resultQuery(
                    "select version, count(*), bool_and(success) from flyway_schema_history"
                        + " where version is not null group by version")
                .fetch();
        assertThat(history).isNotEmpty();
        history.forEach(
            r -> {
              assertThat(r.get(1, Integer.class)).as("runs of %s", r.get(0)).isEqualTo(1);
              assertThat(r.get(2, Boolean.class)).isTrue();
            });
        // And every member can use the schema.
        dbs.get(3).users().create("alice", "example.com", null, "example.com", "pw");
        assertThat(dbs.get(1).users().findBySipUri("sip:alice@example.com")).isPresent();
      } finally {
        dbs.forEach(Database::close);
      }
    }
  }
}
