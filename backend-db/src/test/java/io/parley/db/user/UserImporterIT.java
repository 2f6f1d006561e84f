package io.parley.db.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.db.testing.TestDatabase;
import io.parley.db.user.ImportResult.Rejected;
import io.parley.model.UserAccount;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class UserImporterIT {

  private static final Logger log = LoggerFactory.getLogger(UserImporterIT.class);
  private static final String DOMAIN = "example.com";
  private static final String REALM = "example.com";

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

  @BeforeEach
  void empty() {
    db.truncateAll();
  }

  @Test
  void importsFiftyThousandUsers() {
    int n = 50_000;
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < n; i++) {
      input.append("user").append(i).append(' ').append("pw-").append(i * 7919).append('\n');
    }
    List<ImportProgress> reports = new ArrayList<>();

    long start = System.nanoTime();
    ImportResult result =
        db.database()
            .importer()
            .importUsers(new StringReader(input.toString()), DOMAIN, REALM, reports::add);
    long millis = (System.nanoTime() - start) / 1_000_000;
    log.info("bulk import of {} users took {} ms", n, millis);

    assertThat(result.created()).isEqualTo(n);
    assertThat(result.updated()).isZero();
    assertThat(result.rejected()).isEmpty();
    assertThat(db.database().users().count()).isEqualTo(n);
    assertThat(db.dsl().fetchCount(io.parley.db.generated.Tables.CREDENTIALS)).isEqualTo(n);
    assertThat(db.database().credentials().lookup("user4242", REALM))
        .hasValueSatisfying(
            c ->
                assertThat(c.ha1Sha256())
                    .isEqualTo(DigestHa1.sha256("user4242", REALM, "pw-" + 4242 * 7919)));
    assertThat(reports.getLast()).isEqualTo(new ImportProgress(ImportProgress.Phase.STORED, n, n));
    assertThat(reports).extracting(ImportProgress::phase).contains(ImportProgress.Phase.STAGED);
  }

  @Test
  void existingUsersKeepTheirIdAndGetTheNewPassword() {
    UserAccount alice = db.database().users().create("alice", DOMAIN, "Alice", REALM, "old");
    db.database().users().setEnabled(alice.id(), false);

    ImportResult result =
        db.database()
            .importer()
            .importUsers(new StringReader("alice new\nbob pw\n"), DOMAIN, REALM, p -> {});

    assertThat(result.created()).isEqualTo(1);
    assertThat(result.updated()).isEqualTo(1);
    UserAccount after = db.database().users().findByUsername("alice", DOMAIN).orElseThrow();
    assertThat(after.id()).isEqualTo(alice.id());
    assertThat(after.displayName()).isEqualTo("Alice");
    assertThat(after.enabled()).isFalse();
    assertThat(db.database().credentials().lookup("alice", REALM))
        .hasValueSatisfying(
            c -> assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("alice", REALM, "new")));
  }

  @Test
  void emptyInputCreatesNothing() {
    ImportResult result =
        db.database()
            .importer()
            .importUsers(new StringReader("# nobody\n\n"), DOMAIN, REALM, p -> {});
    assertThat(result).isEqualTo(new ImportResult(0, 0, List.of()));
    assertThat(db.database().users().count()).isZero();
  }

  @Test
  void unreadableInputWritesNothing() {
    Reader failing =
        new Reader() {
          private final Reader first = new StringReader("alice pw\nbob pw\n");

          @Override
          public int read(char[] buf, int off, int len) throws IOException {
            int n = first.read(buf, off, len);
            if (n < 0) {
              throw new IOException("disk gone");
            }
            return n;
          }

          @Override
          public void close() {}
        };
    assertThatThrownBy(() -> db.database().importer().importUsers(failing, DOMAIN, REALM, p -> {}))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(db.database().users().count()).isZero();
  }

  @Test
  void badLinesAreReportedWithTheirNumberAndSkipped() {
    String input =
        String.join(
            "\n",
            "# comment",
            "alice pw1",
            "",
            "nopassword",
            "bad@name pw",
            "bob  pass with spaces  ",
            "ALICE again",
            "carol pw3");

    ImportResult result =
        db.database().importer().importUsers(new StringReader(input), DOMAIN, REALM, p -> {});

    assertThat(result.created()).isEqualTo(3);
    assertThat(result.rejected())
        .containsExactly(
            new Rejected(4, "missing password"),
            new Rejected(5, "invalid username"),
            new Rejected(7, "duplicate of line 2"));
    assertThat(result.rejected()).allSatisfy(r -> assertThat(r.reason()).doesNotContain("pw"));
    assertThat(db.database().credentials().lookup("bob", REALM))
        .hasValueSatisfying(
            c -> assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("bob", REALM, "pass with spaces")));
    assertThat(db.database().credentials().lookup("alice", REALM))
        .hasValueSatisfying(
            c -> assertThat(c.ha1Md5()).isEqualTo(DigestHa1.md5("alice", REALM, "pw1")));
  }
}
