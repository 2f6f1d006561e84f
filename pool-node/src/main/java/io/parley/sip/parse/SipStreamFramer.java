package io.parley.sip.parse;

import io.parley.sip.message.SipMessage;
import java.util.Arrays;

/**
 * Frames SIP messages on one TCP/TLS connection (RFC 3261 §18.3): a header block ending in
 * CRLFCRLF, then exactly Content-Length body bytes. Accepts any split of the stream. Not
 * thread-safe; one instance per connection. {@link #feed} never throws.
 *
 * <ul>
 *   <li>Between messages, CRLFCRLF is a keep-alive ping (RFC 5626 §3.5.1; the transport answers
 *       CRLF); a lone CRLF before a message is skipped.
 *   <li>Limits are enforced as bytes arrive: nothing beyond {@code maxHeaderBlockBytes} of header
 *       or {@code maxBodyBytes} of body is ever buffered.
 *   <li>When the framing cannot be trusted any more (missing, bad or multiple Content-Length, bare
 *       LF, start line or header block too large, too many headers) the listener gets {@code
 *       onFramingLost} once and all later input is ignored.
 *   <li>A body larger than {@code maxBodyBytes} is answered with 413 and skipped without buffering;
 *       the connection stays usable.
 * </ul>
 */
public final class SipStreamFramer {
  private static final System.Logger LOG = System.getLogger(SipStreamFramer.class.getName());
  private static final int INITIAL = 1024;
  private static final byte[] NONE = new byte[0];

  /** Receives framing events; called synchronously from {@link #feed}. */
  public interface FramerListener {
    void onMessage(SipMessage m);

    /** CRLFCRLF received between messages: reply CRLF. */
    void onKeepAlivePing();

    /** Answer {@code r.errorResponse()} if non-null, and keep reading. */
    void onRejected(ParseResult.Rejected r);

    /** Send nothing more; close the connection. */
    void onFramingLost(String reason);
  }

  private enum State {
    IDLE,
    HEADERS,
    BODY,
    SKIP,
    LOST
  }

  private final SipLimits limits;
  private final SipMessageParser parser;
  private final FramerListener listener;

  private State state = State.IDLE;
  private int crlfRun; // IDLE: bytes of CRLFCRLF matched so far
  // Allocated only while a header block arrives in pieces; NONE between messages, so an idle
  // connection (most of a node's thousands) holds no buffer here.
  private byte[] head = NONE;
  private int headLength;
  private int match; // HEADERS: bytes of CRLFCRLF matched so far
  private boolean startLineDone;
  private int lines;
  private byte[] message = NONE;
  private int messageLength;
  private long toSkip;

  public SipStreamFramer(SipLimits limits, SipMessageParser parser, FramerListener listener) {
    this.limits = limits;
    this.parser = parser;
    this.listener = listener;
  }

  private int initialHead() {
    return Math.min(INITIAL, limits.maxHeaderBlockBytes() + 4);
  }

  /** No partial message is buffered (used for header-read timeouts). */
  public boolean isIdleBetweenMessages() {
    return state == State.IDLE;
  }

  /** Bytes currently allocated for a partial message (for tests and metrics); 0 when idle. */
  public int bufferedBytes() {
    return head.length + message.length;
  }

  public void feed(byte[] data, int offset, int length) {
    try {
      int i = offset;
      int end = offset + length;
      while (i < end && state != State.LOST) {
        switch (state) {
          case IDLE -> i = idle(data, i, end);
          case HEADERS -> i = headers(data, i, end);
          case BODY -> i = body(data, i, end);
          case SKIP -> i = skip(i, end);
          case LOST -> i = end;
        }
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "SIP framer failure; closing", e);
      lose("Internal Error");
    }
  }

  private int idle(byte[] d, int i, int end) {
    while (i < end) {
      byte b = d[i];
      if (b == '\r' || b == '\n') {
        byte expected = (crlfRun & 1) == 0 ? (byte) '\r' : (byte) '\n';
        if (b == expected) {
          crlfRun++;
        } else {
          crlfRun = b == '\r' ? 1 : 0;
        }
        i++;
        if (crlfRun == 4) {
          crlfRun = 0;
          safely(listener::onKeepAlivePing);
        }
      } else {
        crlfRun = 0;
        state = State.HEADERS;
        headLength = 0;
        match = 0;
        startLineDone = false;
        lines = 0;
        return i;
      }
    }
    return i;
  }

  private int headers(byte[] d, int i, int end) {
    int start = i;
    int maxBlock = limits.maxHeaderBlockBytes();
    while (i < end) {
      byte b = d[i++];
      if (b == '\r') {
        match = match == 2 ? 3 : 1;
      } else if (b == '\n') {
        if (match == 1 || match == 3) {
          match++;
        } else {
          append(d, start, i - start);
          lose("Bare LF Not Allowed");
          return end;
        }
      } else {
        if (match == 2 && b != ' ' && b != '\t') lines++;
        match = 0;
      }
      int total = headLength + (i - start);
      if (!startLineDone) {
        if (match == 2) startLineDone = true;
        else if (total > limits.maxStartLineBytes() + 1) {
          lose("Start Line Too Large");
          return end;
        }
      }
      if (total > maxBlock) {
        lose("Headers Too Large");
        return end;
      }
      if (lines > limits.maxHeaders()) {
        lose("Too Many Headers");
        return end;
      }
      if (match == 4) {
        if (headLength == 0) {
          // The whole header block is in this read (the usual case): no copy into head.
          headerBlockDone(d, start, i - start);
        } else {
          append(d, start, i - start);
          headerBlockDone(head, 0, headLength);
        }
        return i;
      }
    }
    append(d, start, end - start);
    return end;
  }

  private void append(byte[] d, int from, int n) {
    if (headLength + n > head.length) {
      int grown = head.length == 0 ? initialHead() : head.length * 2;
      head =
          Arrays.copyOf(
              head, Math.min(Math.max(grown, headLength + n), limits.maxHeaderBlockBytes() + 4));
    }
    System.arraycopy(d, from, head, headLength, n);
    headLength += n;
  }

  /** The header block, CRLFCRLF included, is {@code block[off, off + len)}. */
  private void headerBlockDone(byte[] block, int off, int len) {
    long cl = Framing.contentLength(block, off, off + len);
    if (cl == Framing.MISSING) {
      lose("Missing Content-Length");
    } else if (cl == Framing.INVALID) {
      lose("Bad Content-Length");
    } else if (cl == Framing.MULTIPLE) {
      lose("Multiple Content-Length");
    } else if (cl > limits.maxBodyBytes()) {
      ParseResult.Rejected r =
          SipMessageParser.reject(block, off, len, 413, "Request Entity Too Large");
      toSkip = cl;
      state = State.SKIP;
      resetHead();
      safely(() -> listener.onRejected(r));
    } else {
      message = new byte[len + (int) cl];
      System.arraycopy(block, off, message, 0, len);
      messageLength = len;
      resetHead();
      if (cl == 0) deliver();
      else state = State.BODY;
    }
  }

  private void resetHead() {
    head = NONE; // don't pin a buffer while idle
    headLength = 0;
  }

  private int body(byte[] d, int i, int end) {
    int n = Math.min(end - i, message.length - messageLength);
    System.arraycopy(d, i, message, messageLength, n);
    messageLength += n;
    if (messageLength == message.length) deliver();
    return i + n;
  }

  private int skip(int i, int end) {
    long n = Math.min(end - i, toSkip);
    toSkip -= n;
    if (toSkip == 0) state = State.IDLE;
    return (int) (i + n);
  }

  private void deliver() {
    byte[] m = message;
    message = NONE;
    messageLength = 0;
    state = State.IDLE;
    ParseResult r = parser.decode(m, 0, m.length, true);
    if (r instanceof ParseResult.Parsed p) {
      safely(() -> listener.onMessage(p.message()));
    } else if (r instanceof ParseResult.Rejected rej) {
      safely(() -> listener.onRejected(rej));
    }
  }

  private void lose(String reason) {
    state = State.LOST;
    head = NONE;
    headLength = 0;
    message = NONE;
    safely(() -> listener.onFramingLost(reason));
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // a listener bug must not corrupt the framing of the next message
      LOG.log(System.Logger.Level.WARNING, "SIP framer listener failed", e);
    }
  }
}
