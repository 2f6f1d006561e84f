package io.parley.sip.parse;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipParseException;
import io.parley.sip.message.WireFormat;

/**
 * Parses whole messages (one UDP datagram, or one message already framed by {@link
 * SipStreamFramer}). Stateless and thread-safe; never throws on any input.
 *
 * <p>Datagram rules (RFC 3261 §18.3): leading CRLFs are skipped; bytes after Content-Length are
 * ignored (RFC 4475 dblreq); without Content-Length the body runs to the end of the datagram (RFC
 * 2543 compatibility, inv2543); a Content-Length larger than what arrived is "400 Bad
 * Content-Length" (clerr). Rejected requests carry a ready error response; rejected responses are
 * dropped (null error response).
 */
public final class SipMessageParser {
  private static final System.Logger LOG = System.getLogger(SipMessageParser.class.getName());

  private final SipLimits limits;

  public SipMessageParser() {
    this(SipLimits.defaults());
  }

  public SipMessageParser(SipLimits limits) {
    this.limits = limits;
  }

  public SipLimits limits() {
    return limits;
  }

  public ParseResult parseDatagram(byte[] datagram, int offset, int length) {
    return parseWhole(datagram, offset, length, true, true);
  }

  /** Parses one complete framed message; Content-Length, when present, must match the body. */
  public ParseResult parse(byte[] headerBlockAndBody) {
    return parseWhole(headerBlockAndBody, 0, headerBlockAndBody.length, false, true);
  }

  /**
   * @param fast try the one-pass path first; false forces the careful path, which alone decides
   *     verdicts (tests compare the two)
   */
  ParseResult parseWhole(byte[] buf, int offset, int length, boolean datagram, boolean fast) {
    int s = offset;
    int end = offset + length;
    try {
      while (s + 1 < end && buf[s] == '\r' && buf[s + 1] == '\n') s += 2;
      if (s >= end) return new ParseResult.Rejected(400, "Empty Message", null);
      if (fast) {
        SipMessage m =
            WireFormat.tryDecodeWellFormed(
                buf,
                s,
                end - s,
                limits.maxStartLineBytes(),
                limits.maxHeaderBlockBytes(),
                limits.maxHeaders(),
                limits.maxBodyBytes(),
                datagram);
        if (m != null) return new ParseResult.Parsed(m);
      }
      // careful path: separate framing checks in a fixed order, then a strict decode
      int firstLf = indexOf(buf, s, Math.min(end, s + limits.maxStartLineBytes() + 2), (byte) '\n');
      if (firstLf < 0 && end - s > limits.maxStartLineBytes() + 2) {
        return reject(buf, s, end - s, 513, "Start Line Too Large");
      }
      int limit = (int) Math.min(end, (long) s + limits.maxHeaderBlockBytes());
      int bodyStart = Framing.headerEnd(buf, s, limit);
      if (bodyStart < 0) {
        if (end - s > limits.maxHeaderBlockBytes()) {
          return reject(buf, s, end - s, 513, "Headers Too Large");
        }
        String why = Framing.hasBareLf(buf, s, end) ? "Bare LF Not Allowed" : "Missing Blank Line";
        return reject(buf, s, end - s, 400, why);
      }
      long cl = Framing.contentLength(buf, s, bodyStart);
      int available = end - bodyStart;
      int bodyLength;
      if (cl == Framing.INVALID) {
        return reject(buf, s, end - s, 400, "Bad Content-Length");
      } else if (cl == Framing.MULTIPLE) {
        return reject(buf, s, end - s, 400, "Multiple Content-Length");
      } else if (cl == Framing.MISSING) {
        bodyLength = available;
      } else if (cl > limits.maxBodyBytes()) {
        return reject(buf, s, end - s, 413, "Request Entity Too Large");
      } else if (cl > available || (!datagram && cl != available)) {
        return reject(buf, s, end - s, 400, "Bad Content-Length");
      } else {
        bodyLength = (int) cl;
      }
      if (bodyLength > limits.maxBodyBytes()) {
        return reject(buf, s, end - s, 413, "Request Entity Too Large");
      }
      int msgLength = bodyStart - s + bodyLength;
      return decode(buf, s, msgLength, false);
    } catch (RuntimeException e) {
      return lastResort(buf, s, end - s, e);
    }
  }

  /** Decodes exactly {@code [off, off+len)}; {@code owned} lets the model keep the array. */
  ParseResult decode(byte[] buf, int off, int len, boolean owned) {
    try {
      SipMessage m =
          owned
              ? WireFormat.decodeOwned(buf, off, len, limits.maxHeaders(), true)
              : WireFormat.decode(buf, off, len, limits.maxHeaders(), true);
      return new ParseResult.Parsed(m);
    } catch (SipParseException e) {
      return reject(buf, off, len, e.statusCode(), String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      return lastResort(buf, off, len, e);
    }
  }

  private static ParseResult lastResort(byte[] buf, int off, int len, RuntimeException e) {
    // a bug, not hostile input: log it, but still answer like any malformed request
    LOG.log(System.Logger.Level.WARNING, "SIP parser failure; answering 400", e);
    return reject(buf, off, len, 400, "Bad Request");
  }

  static ParseResult.Rejected reject(byte[] buf, int off, int len, int status, String reason) {
    return new ParseResult.Rejected(
        status, reason, ErrorResponses.build(buf, off, len, status, reason));
  }

  private static int indexOf(byte[] b, int from, int to, byte x) {
    for (int i = from; i < to; i++) if (b[i] == x) return i;
    return -1;
  }
}
