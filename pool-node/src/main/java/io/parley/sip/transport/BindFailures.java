package io.parley.sip.transport;

import java.net.BindException;

/**
 * A listener that could not bind its address, whichever socket transport reported it. Java NIO
 * throws {@link BindException}; Netty's native epoll transport an {@code IOException} whose message
 * starts with {@code bind(} and ends with the system's reason, naming neither address nor port. The
 * administrator needs the listener, so both become one {@link BindException} that names it.
 */
public final class BindFailures {

  private BindFailures() {}

  /** Whether {@code e} says a bind() failed (address in use, not available, not permitted). */
  public static boolean isBindFailure(Throwable e) {
    return e instanceof BindException
        || (e instanceof java.io.IOException && String.valueOf(e.getMessage()).startsWith("bind("));
  }

  /**
   * A {@link BindException} "{@code what host:port: reason}" caused by {@code e} when it is a bind
   * failure; any other failure unchanged.
   */
  public static Throwable named(String what, String host, int port, Throwable e) {
    if (!isBindFailure(e)) {
      return e;
    }
    String reason = String.valueOf(e.getMessage());
    int colon = reason.lastIndexOf("): ");
    if (reason.startsWith("bind(") && colon > 0) {
      reason = reason.substring(colon + 3); // "bind(..) failed with error(-98): Address ..."
    }
    BindException named = new BindException(what + " " + host + ":" + port + ": " + reason);
    named.initCause(e);
    return named;
  }
}
