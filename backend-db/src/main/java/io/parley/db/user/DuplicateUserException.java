package io.parley.db.user;

/** Thrown when creating a user whose address of record already exists. */
public final class DuplicateUserException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public DuplicateUserException(String sipUri, Throwable cause) {
    super("user already exists: " + sipUri, cause);
  }
}
