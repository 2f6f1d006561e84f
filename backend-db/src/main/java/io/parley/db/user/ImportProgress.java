package io.parley.db.user;

/**
 * Progress report of a bulk import.
 *
 * @param phase what the importer is doing
 * @param done users handled so far in this phase
 * @param total users to handle in this phase (valid lines)
 */
public record ImportProgress(Phase phase, int done, int total) {

  /** Import phases, in order. */
  public enum Phase {
    /** Input read and validated; hashes computed. */
    PARSED,
    /** Rows copied into the staging table. */
    STAGED,
    /** Users and credentials written and committed. */
    STORED
  }
}
