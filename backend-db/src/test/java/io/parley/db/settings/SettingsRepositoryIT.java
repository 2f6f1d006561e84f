package io.parley.db.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.parley.db.testing.TestDatabase;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SettingsRepositoryIT {

  private static TestDatabase db;
  private SettingsRepository settings;

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

  @BeforeEach
  void empty() {
    db.truncateAll();
    settings = db.database().settings();
  }

  @Test
  void putThenGetRoundTripsAndPutReplaces() {
    assertThat(settings.get("k")).isEmpty();
    settings.putString("k", "one");
    assertThat(settings.getString("k")).contains("one");
    settings.put("k", new byte[] {0, 1, (byte) 0xff});
    assertThat(settings.get("k"))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(0, 1, 0xff));
  }

  @Test
  void keysOutsideTheColumnWidthAreRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> settings.put("", new byte[] {1}));
    assertThatIllegalArgumentException().isThrownBy(() -> settings.get("k".repeat(201)));
  }

  @Test
  void getOrCreateKeepsTheFirstValue() {
    byte[] first = settings.getOrCreate("k", () -> new byte[] {1});
    byte[] second = settings.getOrCreate("k", () -> new byte[] {2});
    assertThat(first).containsExactly(1);
    assertThat(second).containsExactly(1);
  }

  @Test
  void concurrentGetOrCreateFromTwoNodesReturnsTheSameSecret() throws Exception {
    // Two repositories on two pools stand for two nodes.
    try (var other = io.parley.db.Database.open(db.config(2))) {
      for (int round = 0; round < 20; round++) {
        String key = "secret-" + round;
        SettingsRepository a = settings;
        SettingsRepository b = other.settings();
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
          Future<byte[]> fa =
              threads.submit(
                  () -> {
                    start.await();
                    return a.getOrCreateSecret(key, 32);
                  });
          Future<byte[]> fb =
              threads.submit(
                  () -> {
                    start.await();
                    return b.getOrCreateSecret(key, 32);
                  });
          byte[] va = fa.get();
          assertThat(va).hasSize(32).isEqualTo(fb.get());
          assertThat(settings.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(va));
        } finally {
          threads.shutdown();
        }
      }
    }
  }
}
