package io.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
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
    try (EmbeddedDatabase pg = EmbeddedDatabase.start(data);
        Database db = Database.open(pg.config(2))) {
      assertThat(db.users().findBySipUri("sip:alice@example.com"))
          .hasValueSatisfying(u -> assertThat(u.id()).isEqualTo(userId));
      assertThat(db.settings().getOrCreateSecret("nonce-key", 32)).isEqualTo(secret);
    }
  }
}
