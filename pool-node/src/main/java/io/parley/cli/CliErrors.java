package io.parley.cli;

import io.parley.sip.transport.BindFailures;

/** Turns exceptions into the one line an administrator reads. */
final class CliErrors {

  private CliErrors() {}

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof CliException) {
        break;
      }
      root = root.getCause();
    }
    // The outermost bind failure: our listeners wrap the transport's in one that names them
    // (BindFailures.named).
    for (Throwable c = t; c != null && c != root.getCause(); c = c.getCause()) {
      if (BindFailures.isBindFailure(c)) {
        return "cannot listen: " + c.getMessage();
      }
    }
    String msg = t instanceof CliException ? t.getMessage() : root.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = root.getClass().getSimpleName();
    }
    if (t != root && !(t instanceof CliException) && t.getMessage() != null) {
      msg = t.getMessage() + (msg.equals(t.getMessage()) ? "" : ": " + msg);
    }
    return msg;
  }

  /** A failure whose message is already what the administrator should read. */
  static final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
      super(message);
    }

    CliException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
