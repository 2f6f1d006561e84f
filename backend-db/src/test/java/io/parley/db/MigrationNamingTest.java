package io.parley.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MigrationNamingTest {

  private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

  @Test
  void everyMigrationFollowsTheTimestampNamingPolicy() throws IOException {
    List<String> names;
    try (Stream<Path> files = Files.list(MIGRATIONS)) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(names).isNotEmpty();
    assertThat(names)
        .allMatch(
            n -> n.matches("V\\d{12}__[a-z0-9]+(_[a-z0-9]+)*\\.sql"),
            "V{yyyyMMddHHmm}__{snake_case}.sql");
    assertThat(names.stream().map(n -> n.substring(1, 13)).distinct()).hasSameSizeAs(names);
  }
}
