package io.parley.app;

import java.time.Duration;

/**
 * A back-end the request needs is unreachable (e.g. the database is down and nothing is cached):
 * the client gets 503 with Retry-After instead of a 500 or a hang.
 */
public class ServiceUnavailableException extends RuntimeException {

  private final Duration retryAfter;

  public ServiceUnavailableException(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  public ServiceUnavailableException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** How long the client should wait before retrying. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
