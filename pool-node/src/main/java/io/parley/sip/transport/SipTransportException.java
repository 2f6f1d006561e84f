package io.parley.sip.transport;

/**
 * Why a send failed; callers branch on {@link #kind()} (e.g. retry over TCP, answer 513 or 503).
 */
public final class SipTransportException extends RuntimeException {

  /** Failure kinds. */
  public enum Kind {
    /** Larger than the UDP limit: use a reliable transport or answer 513. */
    MESSAGE_TOO_LARGE,
    FLOW_CLOSED,
    CONNECT_FAILED,
    CONNECTION_LIMIT,
    NOT_STARTED,
    TRANSPORT_ERROR
  }

  private final Kind kind;

  public SipTransportException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public SipTransportException(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
