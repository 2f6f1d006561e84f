package io.parley.presence.pidf;

/** A presence document that is not well-formed, too large, or not PIDF. */
public final class PidfException extends Exception {
  private static final long serialVersionUID = 1L;

  public PidfException(String message) {
    super(message);
  }

  public PidfException(String message, Throwable cause) {
    super(message, cause);
  }
}
