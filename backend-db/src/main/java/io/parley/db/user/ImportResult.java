package io.parley.db.user;

import java.util.List;

/**
 * Outcome of a bulk import.
 *
 * @param created users that did not exist and were created
 * @param updated users that existed and got their password replaced
 * @param rejected lines that were skipped, with the reason
 */
public record ImportResult(int created, int updated, List<Rejected> rejected) {

  public ImportResult {
    rejected = List.copyOf(rejected);
  }

  /**
   * A skipped input line. The reason never quotes the password.
   *
   * @param lineNumber 1-based line number in the input
   * @param reason why the line was skipped
   */
  public record Rejected(long lineNumber, String reason) {}
}
