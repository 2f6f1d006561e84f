package io.parley.sip.parse;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.Headers;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipParseException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/** Builds stateless error responses to requests that could not be parsed (RFC 3261 §8.2.6). */
final class ErrorResponses {
  private ErrorResponses() {}

  /**
   * The response bytes, or null when nothing may be sent: the input is a response or an ACK, or it
   * has no Via at all (nothing could match the answer). A Via that does not parse is copied as it
   * is: the transport answers to the datagram's source or on the connection, never to the Via.
   */
  static byte @Nullable [] build(byte[] buf, int off, int len, int status, String reason) {
    try {
      int end = off + len;
      if (len >= 4
          && buf[off] == 'S'
          && buf[off + 1] == 'I'
          && buf[off + 2] == 'P'
          && buf[off + 3] == '/') {
        return null;
      }
      if (len >= 4
          && buf[off] == 'A'
          && buf[off + 1] == 'C'
          && buf[off + 2] == 'K'
          && buf[off + 3] == ' ') {
        return null; // never answer an ACK
      }
      Headers h = io.parley.sip.message.WireFormat.salvageHeaders(buf, off, end - off);
      if (h == null) return null;
      List<String> vias = h.all(HeaderName.VIA);
      if (vias.isEmpty()) return null;
      StringBuilder sb = new StringBuilder(512);
      sb.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
      for (String v : vias) sb.append("Via: ").append(v).append("\r\n");
      copy(sb, h, HeaderName.FROM);
      String to = h.first(HeaderName.TO);
      if (to != null) {
        sb.append("To: ").append(withTag(to)).append("\r\n");
      }
      copy(sb, h, HeaderName.CALL_ID);
      copy(sb, h, HeaderName.CSEQ);
      sb.append("Content-Length: 0\r\n\r\n");
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void copy(StringBuilder sb, Headers h, HeaderName n) {
    String v = h.first(n);
    if (v != null) sb.append(n.display()).append(": ").append(v).append("\r\n");
  }

  /**
   * RFC 3261 §8.2.6.2: a response other than 100 carries a To tag; keep an unparseable To as-is.
   */
  private static String withTag(String to) {
    try {
      NameAddr a = NameAddr.parse(to);
      if (a.tag() != null) return to;
      return to + ";tag=" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    } catch (SipParseException e) {
      return to;
    }
  }
}
