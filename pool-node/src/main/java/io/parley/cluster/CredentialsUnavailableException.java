package io.parley.cluster;

/**
 * Neither the database nor the pool's credential cache could answer: the caller should answer 503
 * with Retry-After rather than 401/403, because the user may well exist.
 */
public final class CredentialsUnavailableException extends RuntimeException {

  public CredentialsUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
