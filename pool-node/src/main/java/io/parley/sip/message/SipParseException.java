package io.parley.sip.message;

/**
 * A syntax or semantic fault in SIP input. The message is the reason phrase to send back (e.g. "Bad
 * CSeq"), {@link #statusCode()} the status (400, 413, 501, 505, 513...).
 */
public class SipParseException extends Exception {
  private final int statusCode;

  public SipParseException(int statusCode, String reason) {
    super(reason, null, false, false); // no stack trace: hostile input is not exceptional
    this.statusCode = statusCode;
  }

  public SipParseException(String reason) {
    this(400, reason);
  }

  public int statusCode() {
    return statusCode;
  }
}
