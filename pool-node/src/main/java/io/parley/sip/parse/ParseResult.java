package io.parley.sip.parse;

import io.parley.sip.message.SipMessage;
import org.jspecify.annotations.Nullable;

/** Outcome of parsing one message. */
public sealed interface ParseResult permits ParseResult.Parsed, ParseResult.Rejected {

  /** A syntactically valid message (semantic checks are the caller's). */
  record Parsed(SipMessage message) implements ParseResult {}

  /**
   * Refused input.
   *
   * @param statusCode 400, 413, 501, 505 or 513
   * @param reason the reason phrase naming the fault, e.g. "Bad CSeq"
   * @param errorResponse ready-to-send response bytes, or null when nothing must be answered (the
   *     input was a response, an ACK, or its Via could not be read)
   */
  record Rejected(int statusCode, String reason, byte @Nullable [] errorResponse)
      implements ParseResult {}
}
