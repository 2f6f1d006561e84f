package io.parley.sip.message;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Decodes one complete, already framed message (start line, header block, blank line, body) into
 * the model. Framing, Content-Length handling and size limits live in {@code io.parley.sip.parse};
 * this class checks syntax and, in strict mode, the RFC 3261 §8.2 / §18 rules that make a received
 * message acceptable (required headers, single-valued headers, CSeq method).
 *
 * <p>Line endings: header lines must end in CRLF. A bare LF (or bare CR) in the start line or
 * header block is rejected with "400 Bare LF Not Allowed": tolerating it would let two parsers on
 * the path disagree about where a header ends, which is a smuggling vector.
 */
public final class WireFormat {
  private WireFormat() {}

  /** Methods this server knows; a CSeq mismatch on any other method is 501 (RFC 4475 §3.1.2.18). */
  public static final Set<String> KNOWN_METHODS =
      Set.of(
          "INVITE",
          "ACK",
          "BYE",
          "CANCEL",
          "OPTIONS",
          "REGISTER",
          "PRACK",
          "SUBSCRIBE",
          "NOTIFY",
          "PUBLISH",
          "INFO",
          "REFER",
          "MESSAGE",
          "UPDATE",
          "SERVICE",
          "NEGOTIATE",
          "BENOTIFY");

  /**
   * Decodes a copy of {@code buf[off, off+len)}; the body is everything after the blank line.
   *
   * @param strict check required and single-valued headers and the CSeq method (for received
   *     messages); builders use non-strict mode, which checks syntax only
   */
  public static SipMessage decode(byte[] buf, int off, int len, int maxHeaders, boolean strict)
      throws SipParseException {
    return decodeOwned(Arrays.copyOfRange(buf, off, off + len), 0, len, maxHeaders, strict);
  }

  /** As {@link #decode} but takes ownership of {@code buf} when it is exactly the message. */
  public static SipMessage decodeOwned(byte[] buf, int off, int len, int maxHeaders, boolean strict)
      throws SipParseException {
    byte[] raw = off == 0 && len == buf.length ? buf : Arrays.copyOfRange(buf, off, off + len);
    return decodeExact(raw, maxHeaders, strict);
  }

  private static SipMessage decodeExact(byte[] raw, int maxHeaders, boolean strict)
      throws SipParseException {
    int end = raw.length;
    int lineEnd = lineEnd(raw, 0, end);
    if (lineEnd < 0) throw new SipParseException("Missing Blank Line");
    // the start line is judged first so that e.g. SIP/7.0 gets 505 whatever the headers say
    StartLine start = startLine(raw, lineEnd);
    Parts p = new Parts();
    p.raw = raw;
    scanHeaders(raw, lineEnd + 2, end, maxHeaders, p, true);
    p.headers = p.freeze(raw, 0);
    return finish(p, start, strict);
  }

  /**
   * The full (non-strict) decode of what {@link SipMessage.Builder} wrote, when the shortcut does
   * not apply: its fields need not be the builder's (a name "A:B" reads as "A"), so the result is
   * not canonical.
   */
  static SipMessage decodeBuilt(byte[] raw) throws SipParseException {
    return decodeExact(raw, Integer.MAX_VALUE, false);
  }

  /**
   * Decodes what {@link SipMessage.Builder} wrote, taking the field offsets from the writing
   * instead of scanning for them; then exactly the non-strict checks of a full decode. Returns null
   * when the shortcut does not apply (a start line or header name a scan would judge differently),
   * and the caller decodes fully. Builder values never hold CR or LF (the builder refuses them and
   * copied values are decoded without them), which is what lets the value scan go.
   */
  static @Nullable SipMessage decodeWritten(byte[] raw, SipMessage.Builder.Layout at)
      throws SipParseException {
    int lineEnd = at.startLineEnd;
    for (int i = 0; i < lineEnd; i++) {
      if (raw[i] == '\r' || raw[i] == '\n') return null;
    }
    StartLine start = startLine(raw, lineEnd);
    int n = at.count;
    int[] o = at.offsets;
    Parts p = new Parts();
    HeaderName[] names = new HeaderName[Math.max(n, 1)];
    int[] starts = new int[names.length];
    int[] ends = new int[names.length];
    boolean canonical = true;
    for (int i = 0; i < n; i++) {
      HeaderName name = HeaderNames.lookup(raw, o[4 * i], o[4 * i + 1]);
      if (!name.isKnown() && !tokenBytes(raw, o[4 * i], o[4 * i + 1])) return null;
      // the value as a scan would trim it
      int vs = o[4 * i + 2];
      int ve = o[4 * i + 3];
      while (vs < ve && isLws(raw[vs])) vs++;
      while (ve > vs && isLws(raw[ve - 1])) ve--;
      // canonical: the fields are the builder's, one line each, values without edge LWS
      canonical &= vs == o[4 * i + 2] && ve == o[4 * i + 3];
      names[i] = name;
      starts[i] = vs;
      ends[i] = ve;
    }
    p.raw = raw;
    p.names = names;
    p.starts = starts;
    p.ends = ends;
    p.count = n;
    p.bodyOffset = at.bodyOffset;
    p.canonical = canonical;
    p.headers = p.freeze(raw, 0);
    return finish(p, start, false);
  }

  private static boolean tokenBytes(byte[] b, int s, int e) {
    if (s >= e) return false;
    for (int i = s; i < e; i++) if (!Lex.isTokenChar(b[i])) return false;
    return true;
  }

  /**
   * One-pass fast path for a datagram or a framed message: finds the start line, splits the header
   * block and reads Content-Length in a single scan of {@code buf[off, off+len)}, then decodes
   * strictly. Returns null whenever the input is not a plainly well-formed message within the
   * limits (any framing fault, limit hit, or syntax error): the caller then takes the careful path,
   * which alone decides the verdict and error response, so verdicts cannot differ between the two.
   *
   * @param datagram bytes after the Content-Length body are ignored (else they must not exist)
   */
  public static @Nullable SipMessage tryDecodeWellFormed(
      byte[] buf,
      int off,
      int len,
      int maxStartLineBytes,
      int maxHeaderBlockBytes,
      int maxHeaders,
      int maxBodyBytes,
      boolean datagram) {
    try {
      int end = off + len;
      int lineEnd = lineEnd(buf, off, (int) Math.min(end, (long) off + maxStartLineBytes + 2));
      if (lineEnd < 0) return null;
      Parts p = new Parts();
      // the blank line must end within the header limit (as the framing check requires)
      int limit = (int) Math.min(end, (long) off + maxHeaderBlockBytes);
      scanHeaders(buf, lineEnd + 2, limit, maxHeaders, p, true);
      long cl = -1;
      for (int i = 0; i < p.count; i++) {
        if (p.names[i].equals(HeaderName.CONTENT_LENGTH)) {
          if (cl >= 0) return null;
          cl = number(buf, p.starts[i], p.ends[i], Integer.MAX_VALUE);
          if (cl < 0) return null;
        }
      }
      int available = end - p.bodyOffset;
      if (cl > available || (!datagram && cl >= 0 && cl != available)) return null;
      int bodyLength = cl < 0 ? available : (int) cl;
      if (bodyLength > maxBodyBytes) return null;
      byte[] raw = Arrays.copyOfRange(buf, off, p.bodyOffset + bodyLength);
      p.raw = raw;
      p.headers = p.freeze(raw, off);
      p.bodyOffset -= off;
      return finish(p, startLine(raw, lineEnd - off), true);
    } catch (SipParseException e) {
      return null;
    }
  }

  /** Decimal in {@code b[s, e)} of at most {@code max}, or -1 (no sign, no spaces). */
  private static long number(byte[] b, int s, int e, long max) {
    if (s >= e) return -1;
    long r = 0;
    for (int i = s; i < e; i++) {
      int c = b[i] - '0';
      if (c < 0 || c > 9) return -1;
      r = r * 10 + c;
      if (r > max) return -1;
    }
    return r;
  }

  private static StartLine startLine(byte[] raw, int lineEnd) throws SipParseException {
    String line = new String(raw, 0, lineEnd, StandardCharsets.UTF_8);
    return line.startsWith("SIP/") ? statusLine(line) : requestLine(line);
  }

  private static SipMessage finish(Parts p, StartLine start, boolean strict)
      throws SipParseException {
    readRouting(p, strict);
    int bodyLength = p.raw.length - p.bodyOffset;
    if (p.contentLength >= 0 && p.contentLength != bodyLength) {
      throw new SipParseException("Bad Content-Length");
    }
    if (strict) checkRequired(p);
    if (start.uri == null) return new SipResponse(p, start.code, start.text);
    Uri uri = start.uri;
    if (strict) {
      // RFC 3261 §19.1.5: headers in a Request-URI are a route-injection vector (RFC 4475 escruri)
      if (uri instanceof SipUri su && !su.headers().isEmpty()) {
        throw new SipParseException("Bad Request-URI");
      }
      CSeq cseq = p.cseq;
      if (cseq != null && !cseq.method().equals(start.text)) {
        if (KNOWN_METHODS.contains(start.text)) {
          throw new SipParseException("CSeq Method Mismatch");
        }
        throw new SipParseException(501, "Not Implemented");
      }
    }
    return new SipRequest(p, start.text, uri);
  }

  /** Method or reason phrase, status code, Request-URI. */
  private record StartLine(String text, int code, @Nullable Uri uri) {}

  private static StartLine statusLine(String line) throws SipParseException {
    int sp1 = line.indexOf(' ');
    if (sp1 < 0) throw new SipParseException("Bad Status-Line");
    checkVersion(line.substring(0, sp1), "Bad Status-Line");
    int cs = sp1 + 1;
    int ce = cs;
    while (ce < line.length() && line.charAt(ce) >= '0' && line.charAt(ce) <= '9') ce++;
    if (ce - cs != 3 || (ce < line.length() && line.charAt(ce) != ' ')) {
      throw new SipParseException("Bad Status-Line");
    }
    int code = Integer.parseInt(line, cs, ce, 10);
    if (code < 100 || code > 699) throw new SipParseException("Bad Status-Line");
    String reason = ce < line.length() ? line.substring(ce + 1) : "";
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if (c < ' ' && c != '\t') throw new SipParseException("Bad Status-Line");
    }
    return new StartLine(reason, code, null);
  }

  private static StartLine requestLine(String line) throws SipParseException {
    int sp1 = line.indexOf(' ');
    int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || line.indexOf('\t') >= 0) {
      throw new SipParseException("Bad Request-Line");
    }
    String method = knownMethod(line, sp1);
    if (method == null) {
      method = line.substring(0, sp1);
      if (!Lex.isToken(method)) throw new SipParseException("Bad Request-Line");
    }
    int vs = sp2 + 1;
    if (line.length() - vs != 7 || !line.regionMatches(true, vs, "SIP/2.0", 0, 7)) {
      String version = line.substring(vs);
      if (version.indexOf(' ') >= 0) throw new SipParseException("Bad Request-Line");
      checkVersion(version, "Bad Request-Line");
    }
    try {
      return new StartLine(method, 0, Uri.parse(line.substring(sp1 + 1, sp2)));
    } catch (SipParseException e) {
      throw new SipParseException("Bad Request-URI");
    }
  }

  private static final String[] METHODS = KNOWN_METHODS.toArray(new String[0]);

  /** The shared constant when {@code line[0, len)} is a known method (case-sensitive), or null. */
  private static @Nullable String knownMethod(String line, int len) {
    for (String m : METHODS) if (m.length() == len && line.startsWith(m)) return m;
    return null;
  }

  private static void checkVersion(String v, String fault) throws SipParseException {
    if (v.equalsIgnoreCase("SIP/2.0")) return;
    if (v.length() >= 7 && v.regionMatches(true, 0, "SIP/", 0, 4)) {
      int dot = v.indexOf('.', 4);
      if (dot > 4 && dot < v.length() - 1 && digits(v, 4, dot) && digits(v, dot + 1, v.length())) {
        throw new SipParseException(505, "Version Not Supported");
      }
    }
    throw new SipParseException(fault);
  }

  private static boolean digits(String s, int from, int to) {
    for (int i = from; i < to; i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    return true;
  }

  private static void checkRequired(Parts p) throws SipParseException {
    if (p.vias.isEmpty()) throw new SipParseException("Missing Via");
    if (p.fromCount == 0) throw new SipParseException("Missing From");
    if (p.toCount == 0) throw new SipParseException("Missing To");
    if (p.callIdCount == 0) throw new SipParseException("Missing Call-ID");
    if (p.cseqCount == 0) throw new SipParseException("Missing CSeq");
    if (p.fromCount > 1) throw new SipParseException("Multiple From");
    if (p.toCount > 1) throw new SipParseException("Multiple To");
    if (p.callIdCount > 1) throw new SipParseException("Multiple Call-ID");
    if (p.cseqCount > 1) throw new SipParseException("Multiple CSeq");
    if (p.maxForwardsCount > 1) throw new SipParseException("Multiple Max-Forwards");
  }

  /** Index of the CR of the first CRLF at or after {@code from}, -1 if none; bare LF throws. */
  static int lineEnd(byte[] b, int from, int end) throws SipParseException {
    for (int i = from; i < end; i++) {
      byte c = b[i];
      if (c == '\n') throw new SipParseException("Bare LF Not Allowed");
      if (c == '\r') {
        if (i + 1 < end && b[i + 1] == '\n') return i;
        throw new SipParseException(i + 1 < end ? "Bare CR Not Allowed" : "Missing Blank Line");
      }
    }
    return -1;
  }

  /**
   * Scans header lines from {@code pos} up to the blank line; fills {@code p.headers} and {@code
   * p.bodyOffset}. With {@code strict} false, lines that are not headers are skipped instead of
   * failing (used to salvage Via/From/To for an error response).
   */
  static void scanHeaders(byte[] raw, int pos, int end, int maxHeaders, Parts p, boolean strict)
      throws SipParseException {
    HeaderName[] names = p.names;
    int[] starts = p.starts;
    int[] ends = p.ends;
    int count = 0;
    int i = pos;
    while (true) {
      if (i + 1 < end && raw[i] == '\r' && raw[i + 1] == '\n') {
        p.bodyOffset = i + 2;
        break;
      }
      if (i >= end) {
        if (strict) throw new SipParseException("Missing Blank Line");
        p.bodyOffset = end;
        break;
      }
      int ns = i;
      while (i < end && Lex.isTokenChar(raw[i])) i++;
      int ne = i;
      while (i < end && (raw[i] == ' ' || raw[i] == '\t')) i++;
      boolean good = ne > ns && i < end && raw[i] == ':';
      if (good) i++;
      // the field runs to the CRLF not followed by SP/HT (RFC 3261 §7.3.1 folding)
      int fieldStart = i;
      int lineEnd;
      int next;
      while (true) {
        byte c = 0;
        // eight bytes at a time while none is a control character (CR, LF, HT...)
        while (i + 8 <= end && !hasControl((long) LONGS.get(raw, i))) i += 8;
        while (i < end && (c = raw[i]) != '\r' && c != '\n') i++;
        if (i >= end) {
          if (strict) throw new SipParseException("Missing Blank Line");
          lineEnd = end;
          next = end;
          break;
        }
        if (c == '\r' && i + 1 < end && raw[i + 1] == '\n') {
          if (i + 2 < end && (raw[i + 2] == ' ' || raw[i + 2] == '\t')) {
            p.folded = true;
            i += 3;
            continue;
          }
          lineEnd = i;
          next = i + 2;
          break;
        }
        if (strict) {
          throw new SipParseException(c == '\n' ? "Bare LF Not Allowed" : "Bare CR Not Allowed");
        }
        p.folded = true; // a bare CR/LF kept in a salvaged value: decode must replace it
        i++;
      }
      if (!good) {
        if (strict) throw new SipParseException("Bad Header Line");
        i = next;
        continue;
      }
      int vs = fieldStart;
      while (vs < lineEnd && isLws(raw[vs])) vs++;
      int ve = lineEnd;
      while (ve > vs && isLws(raw[ve - 1])) ve--;
      if (count == names.length) {
        names = Arrays.copyOf(names, count * 2);
        starts = Arrays.copyOf(starts, count * 2);
        ends = Arrays.copyOf(ends, count * 2);
      }
      if (count >= maxHeaders) throw new SipParseException(513, "Too Many Headers");
      names[count] = HeaderNames.lookup(raw, ns, ne);
      starts[count] = vs;
      ends[count] = ve;
      count++;
      i = next;
    }
    p.names = names;
    p.starts = starts;
    p.ends = ends;
    p.count = count;
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Whether some byte of {@code x} is below 0x0E (SWAR "has less than"; exact yes/no). */
  private static boolean hasControl(long x) {
    return ((x - 0x0E0E0E0E0E0E0E0EL) & ~x & 0x8080808080808080L) != 0;
  }

  private static boolean isLws(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static void readRouting(Parts p, boolean strict) throws SipParseException {
    Headers h = java.util.Objects.requireNonNull(p.headers);
    for (int i = 0; i < h.size(); i++) {
      HeaderName n = h.name(i);
      // only the headers the model reads: the others stay undecoded bytes until someone asks
      if (!n.isKnown() || !isRead(n, strict)) continue;
      try {
        readOne(p, n, h, i, strict);
      } catch (SipParseException e) {
        if (e.statusCode() != 400 || e.getMessage() == null) throw e;
        throw new SipParseException("Bad " + n.display());
      }
    }
  }

  private static boolean isRead(HeaderName n, boolean strict) {
    return n == HeaderName.VIA
        || n == HeaderName.FROM
        || n == HeaderName.TO
        || n == HeaderName.CALL_ID
        || n == HeaderName.CSEQ
        || n == HeaderName.MAX_FORWARDS
        || n == HeaderName.CONTACT
        || n == HeaderName.ROUTE
        || n == HeaderName.RECORD_ROUTE
        || n == HeaderName.CONTENT_LENGTH
        || n == HeaderName.CONTENT_TYPE
        || n == HeaderName.EXPIRES
        || (n == HeaderName.DATE && strict);
  }

  /**
   * A decimal header of at most {@code max} read straight from the bytes; leading zeros allowed
   * (RFC 4475 wsinv); a fold or anything but digits is "Bad number".
   */
  private static long number(Headers h, int i, long max) throws SipParseException {
    long r = number(h.raw(), h.start(i), h.end(i), max);
    if (r < 0) throw new SipParseException("Bad number");
    return r;
  }

  private static void readOne(Parts p, HeaderName n, Headers h, int i, boolean strict)
      throws SipParseException {
    if (n == HeaderName.VIA) {
      for (String e : Lex.splitComma(h.value(i))) p.vias.add(Via.parse(e));
    } else if (n == HeaderName.FROM) {
      if (p.fromCount++ == 0) p.from = NameAddr.parse(h.value(i));
    } else if (n == HeaderName.TO) {
      if (p.toCount++ == 0) p.to = NameAddr.parse(h.value(i));
    } else if (n == HeaderName.CALL_ID) {
      // checked on the bytes (a fold leaves CR/LF, as bad as the SP it decodes to); decoded lazily
      byte[] raw = h.raw();
      int s = h.start(i);
      int e = h.end(i);
      if (s >= e) throw new SipParseException("Bad Call-ID");
      for (int k = s; k < e; k++) {
        int c = raw[k] & 0xff;
        if (c <= ' ' || c == 127) throw new SipParseException("Bad Call-ID");
      }
      if (p.callIdCount++ == 0) p.callIdIndex = i;
    } else if (n == HeaderName.CSEQ) {
      CSeq c = CSeq.parse(h, i);
      if (p.cseqCount++ == 0) p.cseq = c;
    } else if (n == HeaderName.MAX_FORWARDS) {
      long mf = number(h, i, 255);
      if (p.maxForwardsCount++ == 0) p.maxForwards = (int) mf;
    } else if (n == HeaderName.CONTACT) {
      String v = h.value(i);
      if (v.equals("*")) {
        p.wildcardContact = true;
      } else {
        addresses(v, p.contacts);
      }
    } else if (n == HeaderName.ROUTE) {
      addresses(h.value(i), p.routes);
    } else if (n == HeaderName.RECORD_ROUTE) {
      addresses(h.value(i), p.recordRoutes);
    } else if (n == HeaderName.CONTENT_LENGTH) {
      long cl = number(h, i, Integer.MAX_VALUE);
      if (p.contentLengthCount++ > 0) {
        throw new SipParseException("Multiple Content-Length");
      }
      p.contentLength = cl;
    } else if (n == HeaderName.CONTENT_TYPE) {
      String v = h.value(i);
      checkMediaType(v);
      if (p.contentType == null) p.contentType = v;
    } else if (n == HeaderName.EXPIRES) {
      long e = number(h, i, 0xFFFF_FFFFL);
      if (p.expires < 0) p.expires = (int) Math.min(e, Integer.MAX_VALUE);
    } else if (n == HeaderName.DATE && strict) {
      checkDate(h.value(i));
    }
  }

  private static void addresses(String v, List<NameAddr> out) throws SipParseException {
    for (String e : Lex.splitComma(v)) out.add(NameAddr.parse(e));
  }

  private static void checkMediaType(String v) throws SipParseException {
    int slash = v.indexOf('/');
    if (slash <= 0) throw new SipParseException("Bad Content-Type");
    int i = slash + 1;
    while (i < v.length() && Lex.isTokenChar(v.charAt(i))) i++;
    if (i == slash + 1 || !Lex.isToken(v.substring(0, slash).strip())) {
      throw new SipParseException("Bad Content-Type");
    }
    Lex.params(v, i, "Content-Type");
  }

  private static final Set<String> WKDAY = Set.of("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun");
  private static final List<String> MONTHS =
      List.of("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec");

  /** RFC 3261 §20.17: rfc1123-date, and the zone must be GMT (RFC 4475 baddate). */
  private static void checkDate(String v) throws SipParseException {
    // "Sat, 13 Nov 2010 23:29:00 GMT"
    String[] f = v.split(" +");
    boolean ok =
        f.length == 6
            && f[0].length() == 4
            && f[0].charAt(3) == ','
            && WKDAY.contains(f[0].substring(0, 3))
            && f[1].length() == 2
            && digits(f[1], 0, 2)
            && MONTHS.contains(f[2])
            && f[3].length() == 4
            && digits(f[3], 0, 4)
            && f[4].matches("\\d\\d:\\d\\d:\\d\\d")
            && f[5].equals("GMT");
    if (!ok) throw new SipParseException("Bad Date");
  }

  /**
   * Leniently reads the header fields of a (possibly malformed) message so an error response can
   * copy Via, From, To, Call-ID and CSeq. Returns null when not even the start line ends.
   */
  public static @Nullable Headers salvageHeaders(byte[] buf, int off, int len) {
    try {
      int end = off + len;
      int i = off;
      while (i < end && buf[i] != '\n') i++;
      if (i >= end) return null;
      Parts p = new Parts();
      byte[] raw = Arrays.copyOfRange(buf, off, end);
      scanHeaders(raw, i + 1 - off, raw.length, 1024, p, false);
      return p.freeze(raw, 0);
    } catch (SipParseException | RuntimeException e) {
      return null;
    }
  }
}
