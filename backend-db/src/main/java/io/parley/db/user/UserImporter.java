package io.parley.db.user;

import io.parley.db.user.ImportResult.Rejected;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions many users at once from lines of {@code "username password"}.
 *
 * <p>Rules: blank lines and lines starting with {@code #} are ignored; the username is the first
 * whitespace-separated token (lower-cased), the password is the rest of the line without its
 * leading and trailing whitespace. Invalid lines and repeated usernames (the first occurrence wins)
 * are reported in {@link ImportResult#rejected()} and skipped; they never stop the import. <b>Users
 * that already exist keep their id, display name and enabled flag; their credentials are replaced
 * by the new password in {@code realm}</b> (as {@link UserRepository#setPassword} does).
 *
 * <p>All valid rows are written in one transaction: hashes are computed in parallel, rows are
 * streamed with {@code COPY} into a temporary table, then merged with two set-based statements.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop.
 */
public final class UserImporter {

  private static final Logger log = LoggerFactory.getLogger(UserImporter.class);
  private static final int MAX_LINE = 1024;
  private static final int PROGRESS_STEP = 5_000;

  private final DSLContext dsl;

  public UserImporter(DSLContext dsl) {
    this.dsl = dsl;
  }

  private record Line(long number, String username, String password) {}

  private record Row(String username, String ha1Md5, String ha1Sha256, String ntHash) {}

  /**
   * Imports users from {@code lines} into {@code domain} with credentials for {@code realm}.
   *
   * @param progress called on the calling thread as phases advance
   * @throws UncheckedIOException if {@code lines} cannot be read (nothing is written then)
   * @throws org.jooq.exception.DataAccessException if the database fails (nothing is written then)
   */
  public ImportResult importUsers(
      Reader lines, String domain, String realm, Consumer<ImportProgress> progress) {
    String dom = UserNames.domain(domain);
    List<Rejected> rejected = new ArrayList<>();
    List<Line> valid = parse(lines, rejected);
    List<Row> rows =
        valid.parallelStream()
            .map(
                l ->
                    new Row(
                        l.username(),
                        DigestHa1.md5(l.username(), realm, l.password()),
                        DigestHa1.sha256(l.username(), realm, l.password()),
                        DigestHa1.ntHash(l.password())))
            .toList();
    int total = rows.size();
    progress.accept(new ImportProgress(ImportProgress.Phase.PARSED, total, total));

    int created =
        dsl.transactionResult(
            cfg ->
                cfg.dsl()
                    .connectionResult(
                        c -> {
                          stage(c, rows, progress);
                          return merge(cfg.dsl(), dom, realm);
                        }));
    progress.accept(new ImportProgress(ImportProgress.Phase.STORED, total, total));
    log.info(
        "imported {} users into {} (realm {}): {} created, {} updated, {} lines rejected",
        total,
        dom,
        realm,
        created,
        total - created,
        rejected.size());
    return new ImportResult(created, total - created, rejected);
  }

  private static List<Line> parse(Reader lines, List<Rejected> rejected) {
    List<Line> valid = new ArrayList<>();
    Map<String, Long> seen = new HashMap<>();
    BufferedReader in = lines instanceof BufferedReader b ? b : new BufferedReader(lines);
    long number = 0;
    try {
      for (String text = in.readLine(); text != null; text = in.readLine()) {
        number++;
        String line = text.strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        if (text.length() > MAX_LINE) {
          rejected.add(new Rejected(number, "line longer than " + MAX_LINE + " characters"));
          continue;
        }
        int space = firstWhitespace(line);
        if (space < 0) {
          rejected.add(new Rejected(number, "missing password"));
          continue;
        }
        String username;
        try {
          username = UserNames.username(line.substring(0, space));
        } catch (IllegalArgumentException e) {
          rejected.add(new Rejected(number, "invalid username"));
          continue;
        }
        String password = line.substring(space).strip();
        if (password.chars().anyMatch(Character::isISOControl)) {
          rejected.add(new Rejected(number, "control character in password"));
          continue;
        }
        Long first = seen.putIfAbsent(username, number);
        if (first != null) {
          rejected.add(new Rejected(number, "duplicate of line " + first));
          continue;
        }
        valid.add(new Line(number, username, password));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the user list", e);
    }
    return valid;
  }

  private static int firstWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Streams the rows into a temporary table with COPY (text format: tab-separated). */
  private static void stage(Connection c, List<Row> rows, Consumer<ImportProgress> progress)
      throws SQLException, IOException {
    try (var st = c.createStatement()) {
      st.execute(
          "create temporary table import_stage (username text not null, ha1_md5 text not null,"
              + " ha1_sha256 text not null, nt_hash text not null) on commit drop");
    }
    PGConnection pg = c.unwrap(PGConnection.class);
    // Usernames are restricted by UserNames (no tab, newline or backslash) and hashes are hex, so
    // no value needs COPY escaping.
    try (Writer out =
        new java.io.OutputStreamWriter(
            new PGCopyOutputStream(pg, "copy import_stage from stdin", 1 << 16),
            java.nio.charset.StandardCharsets.UTF_8)) {
      int done = 0;
      for (Row r : rows) {
        out.write(r.username());
        out.write('\t');
        out.write(r.ha1Md5());
        out.write('\t');
        out.write(r.ha1Sha256());
        out.write('\t');
        out.write(r.ntHash());
        out.write('\n');
        if (++done % PROGRESS_STEP == 0) {
          progress.accept(new ImportProgress(ImportProgress.Phase.STAGED, done, rows.size()));
        }
      }
    }
    progress.accept(new ImportProgress(ImportProgress.Phase.STAGED, rows.size(), rows.size()));
    try (var st = c.createStatement()) {
      st.execute("analyze import_stage");
    }
  }

  /** Creates missing users, then replaces the credentials of every staged user; returns created. */
  private static int merge(DSLContext tx, String domain, String realm) {
    int created =
        tx.execute(
            "insert into users (username, domain, sip_uri)"
                + " select s.username, ?, 'sip:' || s.username || '@' || ?"
                + " from import_stage s on conflict do nothing",
            domain,
            domain);
    tx.execute(
        "delete from credentials c using import_stage s, users u"
            + " where u.username = s.username and u.domain = ? and c.user_id = u.id",
        domain);
    tx.execute(
        "insert into credentials (user_id, realm, ha1_md5, ha1_sha256, nt_hash)"
            + " select u.id, ?, s.ha1_md5, s.ha1_sha256, s.nt_hash"
            + " from import_stage s join users u on u.username = s.username and u.domain = ?",
        realm,
        domain);
    // Touch existing users only: rows created by this transaction carry its own timestamp.
    tx.execute(
        "update users u set updated_at = current_timestamp from import_stage s"
            + " where u.username = s.username and u.domain = ? and u.created_at <> current_timestamp",
        domain);
    return created;
  }
}
