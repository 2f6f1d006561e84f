package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** State and accessors shared by requests and responses. */
abstract sealed class BaseMessage permits SipRequest, SipResponse {
  final byte[] raw;
  final int bodyOffset;
  final Headers headers;
  final List<Via> vias;
  final @Nullable NameAddr from;
  final @Nullable NameAddr to;
  final int callIdIndex;
  final @Nullable CSeq cseq;
  final int maxForwards;
  final List<NameAddr> contacts;
  final boolean wildcardContact;
  final List<NameAddr> routes;
  final List<NameAddr> recordRoutes;
  final @Nullable String contentType;
  final int expires;
  // the wire form is what SipMessage.Builder writes for these headers (see Parts.canonical)
  final boolean canonical;

  BaseMessage(Parts p) {
    raw = p.raw;
    bodyOffset = p.bodyOffset;
    headers = java.util.Objects.requireNonNull(p.headers);
    vias = freeze(p.vias);
    from = p.from;
    to = p.to;
    callIdIndex = p.callIdIndex;
    cseq = p.cseq;
    maxForwards = p.maxForwards;
    contacts = freeze(p.contacts);
    wildcardContact = p.wildcardContact;
    routes = freeze(p.routes);
    recordRoutes = freeze(p.recordRoutes);
    contentType = p.contentType;
    expires = p.expires;
    canonical = p.canonical;
  }

  /**
   * The parts of this message with one more header line spliced in above header {@code index} (at
   * the end when {@code index} is the header count); the caller fixes up the routing fields the new
   * header affects. Only for canonical messages, whose header lines are exactly "Name: value" CRLF:
   * the new line's place and the shifted offsets follow from the old ones without a scan.
   */
  Parts spliced(int index, HeaderName name, String value) {
    byte[] line =
        new ByteSink(name.display().length() + value.length() + 8)
            .utf8(name.display())
            .ascii(": ")
            .utf8(value)
            .crlf()
            .toArray();
    int at = index == 0 ? startLineEnd() : headers.end(index - 1) + 2;
    byte[] next = new byte[raw.length + line.length];
    System.arraycopy(raw, 0, next, 0, at);
    System.arraycopy(line, 0, next, at, line.length);
    System.arraycopy(raw, at, next, at + line.length, raw.length - at);
    int valueStart = at + name.display().length() + 2;
    Parts p = new Parts();
    p.raw = next;
    p.bodyOffset = bodyOffset + line.length;
    p.headers = headers.inserted(next, index, name, valueStart, at + line.length - 2, line.length);
    p.vias.addAll(vias);
    p.from = from;
    p.to = to;
    p.callIdIndex = callIdIndex < index ? callIdIndex : callIdIndex + 1;
    p.cseq = cseq;
    p.maxForwards = maxForwards;
    p.contacts.addAll(contacts);
    p.wildcardContact = wildcardContact;
    p.routes.addAll(routes);
    p.recordRoutes.addAll(recordRoutes);
    p.contentType = contentType;
    p.expires = expires;
    p.canonical = true;
    return p;
  }

  /** Offset just past the start line's CRLF. */
  private int startLineEnd() {
    int i = 0;
    while (raw[i] != '\r') i++;
    return i + 2;
  }

  /** Immutable copy; the usual 0 or 1 element without an intermediate array. */
  private static <T> List<T> freeze(List<T> l) {
    return switch (l.size()) {
      case 0 -> List.of();
      case 1 -> List.of(l.get(0));
      default -> List.copyOf(l);
    };
  }

  private static <T> T required(@Nullable T v, String name) {
    if (v == null) throw new IllegalStateException("message has no " + name);
    return v;
  }

  public Headers headers() {
    return headers;
  }

  public byte[] body() {
    return Arrays.copyOfRange(raw, bodyOffset, raw.length);
  }

  /** Body length in bytes without copying the body. */
  public int bodyLength() {
    return raw.length - bodyOffset;
  }

  public @Nullable String header(HeaderName name) {
    int i = headers.indexOf(name, 0);
    if (i < 0) return null;
    String v = headers.value(i);
    return name.isList() ? Lex.splitComma(v).get(0) : v;
  }

  public List<String> headerValues(HeaderName name) {
    return headers.values(name);
  }

  public List<Via> vias() {
    return vias;
  }

  public Via topVia() {
    if (vias.isEmpty()) throw new IllegalStateException("message has no Via");
    return vias.get(0);
  }

  public NameAddr from() {
    return required(from, "From");
  }

  public NameAddr to() {
    return required(to, "To");
  }

  public String callId() {
    if (callIdIndex < 0) throw new IllegalStateException("message has no Call-ID");
    return headers.value(callIdIndex);
  }

  public CSeq cseq() {
    return required(cseq, "CSeq");
  }

  public int maxForwards() {
    return maxForwards;
  }

  public List<NameAddr> contacts() {
    return contacts;
  }

  public boolean isWildcardContact() {
    return wildcardContact;
  }

  public List<NameAddr> routes() {
    return routes;
  }

  public List<NameAddr> recordRoutes() {
    return recordRoutes;
  }

  public @Nullable String contentType() {
    return contentType;
  }

  public int expires() {
    return expires;
  }

  public byte[] toBytes() {
    return raw.clone();
  }

  /** Length of the wire form in bytes. */
  public int wireLength() {
    return raw.length;
  }

  /** The wire form as text, for logs and tests (body bytes decoded as UTF-8). */
  @Override
  public String toString() {
    return new String(raw, StandardCharsets.UTF_8);
  }
}
