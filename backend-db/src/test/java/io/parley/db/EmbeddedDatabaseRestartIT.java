package io.parley.db;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseRestartIT {

  @TempDir Path dir;

  @Test
  void dataSurvivesARestartOverTheSameDataDirectory() {
    Path data = dir.resolve("pg");
    long userId;
    byte[] secret;
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
        Database db = Database.open(pg.config(2))) {
      userId = db.users().create("alice", "example.com", "Alice", "example.com", "pw1").id();
      secret = db.settings().getOrCreateSecret("nonce-key", 32);
    }
    // A pool of one connection must be enough (Flyway must not need a second one from it).
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
        Database db = Database.open(pg.config(1))) {
      // zonky's defaults (fsync off) would lose committed data on a crash.
      assertThat(db.dsl().resultQuery("show fsync").fetchSingle(0, String.class)).isEqualTo("on");
      assertThat(db.dsl().resultQuery("show synchronous_commit").fetchSingle(0, String.class))
          .isEqualTo("on");
      assertThat(db.users().findBySipUri("sip:alice@example.com"))
          .hasValueSatisfying(u -> assertThat(u.id()).isEqualTo(userId));
      assertThat(db.settings().getOrCreateSecret("nonce-key", 32)).isEqualTo(secret);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void startsAgainAfterThePreviousOwnerWasKilled() throws Exception {
    Path data = dir.resolve("pg");
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process owner =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Owner.class.getName(),
                data.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(owner.getInputStream(), UTF_8))) {
      String line;
      do {
        line = out.readLine();
      } while (line != null && !line.equals(Owner.READY));
      assertThat(line).as("child JVM started the database").isEqualTo(Owner.READY);
    } finally {
      // SIGKILL: no shutdown hook runs, PostgreSQL is left running on the data directory.
      owner.destroyForcibly().waitFor();
    }

    try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
        Database db = Database.open(pg.config(1))) {
      assertThat(db.users().findByUsername("bob", "example.com")).isPresent();
    }
  }

  /** The process that owns the database and gets killed. */
  public static final class Owner {
    static final String READY = "parley-owner-ready";

    public static void main(String[] args) throws InterruptedException {
      EmbeddedDatabase pg = EmbeddedDatabase.start(Path.of(args[0]));
      Database db = Database.open(pg.config(1));
      db.users().create("bob", "example.com", null, "example.com", "pw");
      System.out.println(READY);
      System.out.flush();
      Thread.sleep(120_000);
    }
  }
}
