package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An immutable SIP request or response. A parsed message keeps its original bytes: {@link
 * #toBytes()} returns them unchanged. Routing headers are parsed when the message is built; other
 * headers are decoded only when read. Accessors for required headers ({@link #from()}, {@link
 * #callId()}...) throw {@link IllegalStateException} only on a message built without them: a
 * message from {@code io.parley.sip.parse} always has them.
 */
public sealed interface SipMessage permits SipRequest, SipResponse {

  Headers headers();

  /** A copy of the body (empty array when none). */
  byte[] body();

  /** First value of the header (the first list element for list headers), or null. */
  @Nullable String header(HeaderName name);

  /** All values, comma-split per RFC 3261 §7.3.1 where the header allows lists. */
  List<String> headerValues(HeaderName name);

  /** Via values, topmost first. */
  List<Via> vias();

  Via topVia();

  NameAddr from();

  NameAddr to();

  String callId();

  CSeq cseq();

  /** Max-Forwards, or -1 when absent. */
  int maxForwards();

  /** Contact values; empty for {@code Contact: *} (see {@link #isWildcardContact()}). */
  List<NameAddr> contacts();

  boolean isWildcardContact();

  List<NameAddr> routes();

  List<NameAddr> recordRoutes();

  @Nullable String contentType();

  /** The Expires header in seconds (clamped to Integer.MAX_VALUE), or -1 when absent. */
  int expires();

  /** The wire form; for a parsed, unmodified message exactly the bytes received. */
  byte[] toBytes();

  /** A builder pre-filled with this message's start line, headers and body. */
  Builder toBuilder();

  /**
   * Builds a derived message. Header values must not contain CR or LF (no header injection).
   * Content-Length is always written from the actual body, replacing any value that was set.
   */
  abstract sealed class Builder permits SipRequest.Builder, SipResponse.Builder {
    final List<HeaderName> names = new ArrayList<>(16);
    final List<String> values = new ArrayList<>(16);
    byte[] body = new byte[0];

    Builder() {}

    void copyFrom(SipMessage m) {
      Headers h = m.headers();
      for (int i = 0; i < h.size(); i++) {
        names.add(h.name(i));
        values.add(h.value(i));
      }
      body = m.body();
    }

    static String check(String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '\r' || c == '\n') throw new IllegalArgumentException("CR/LF in header value");
      }
      return value.strip();
    }

    /** Inserts the value above every existing field of that name (or at the top if none). */
    public Builder addFirst(HeaderName name, String value) {
      int i = names.indexOf(name);
      names.add(Math.max(i, 0), name);
      values.add(Math.max(i, 0), check(value));
      return this;
    }

    /** Appends the value after the last field of that name (or at the end if none). */
    public Builder add(HeaderName name, String value) {
      int i = names.lastIndexOf(name);
      int at = i < 0 ? names.size() : i + 1;
      names.add(at, name);
      values.add(at, check(value));
      return this;
    }

    /** Replaces all fields of that name by one field with this value, at the first one's place. */
    public Builder set(HeaderName name, String value) {
      String v = check(value);
      int i = names.indexOf(name);
      if (i < 0) {
        names.add(name);
        values.add(v);
        return this;
      }
      values.set(i, v);
      for (int j = names.size() - 1; j > i; j--) {
        if (names.get(j).equals(name)) {
          names.remove(j);
          values.remove(j);
        }
      }
      return this;
    }

    public Builder remove(HeaderName name) {
      for (int j = names.size() - 1; j >= 0; j--) {
        if (names.get(j).equals(name)) {
          names.remove(j);
          values.remove(j);
        }
      }
      return this;
    }

    public Builder removeFirst(HeaderName name) {
      int i = names.indexOf(name);
      if (i >= 0) {
        names.remove(i);
        values.remove(i);
      }
      return this;
    }

    /** Sets the body and its Content-Type (removed when null); Content-Length follows the body. */
    public Builder body(@Nullable String contentType, byte[] body) {
      this.body = body.clone();
      if (contentType == null) remove(HeaderName.CONTENT_TYPE);
      else set(HeaderName.CONTENT_TYPE, contentType);
      return this;
    }

    /** Adds or replaces the tag parameter of To. */
    public Builder toTag(String tag) {
      int i = names.indexOf(HeaderName.TO);
      if (i < 0) throw new IllegalStateException("no To header");
      try {
        values.set(i, NameAddr.parse(values.get(i)).withTag(check(tag)).toString());
      } catch (SipParseException e) {
        throw new IllegalStateException("unparseable To header: " + e.getMessage(), e);
      }
      return this;
    }

    /** The current first value of a header in this builder, or null. */
    public @Nullable String get(HeaderName name) {
      int i = names.indexOf(name);
      return i < 0 ? null : values.get(i);
    }

    public abstract SipMessage build();

    byte[] serialize(String startLine) {
      return write(startLine, null);
    }

    /**
     * The wire form; with {@code at} non-null also where each field lies (name start, name end,
     * value start, value end per field, in {@code at.offsets}), so decoding need not scan for it.
     */
    private byte[] write(String startLine, @Nullable Layout at) {
      ByteSink out = new ByteSink(256 + body.length + names.size() * 48);
      out.utf8(startLine);
      if (at != null) at.startLineEnd = out.length();
      out.crlf();
      boolean wroteLength = false;
      for (int i = 0; i < names.size(); i++) {
        HeaderName n = names.get(i);
        if (n.equals(HeaderName.CONTENT_LENGTH)) {
          if (wroteLength) continue;
          wroteLength = true;
          contentLength(out, at);
          continue;
        }
        int ns = out.length();
        out.utf8(n.display());
        int ne = out.length();
        out.ascii(": ");
        int vs = out.length();
        out.utf8(values.get(i));
        if (at != null) at.field(ns, ne, vs, out.length());
        out.crlf();
      }
      if (!wroteLength) contentLength(out, at);
      out.crlf();
      if (at != null) at.bodyOffset = out.length();
      out.bytes(body);
      return out.toArray();
    }

    private void contentLength(ByteSink out, @Nullable Layout at) {
      int ns = out.length();
      out.ascii("Content-Length: ");
      int vs = out.length();
      out.ascii(Integer.toString(body.length));
      if (at != null) at.field(ns, ns + 14, vs, out.length());
      out.crlf();
    }

    /** Field offsets recorded while writing; see {@link WireFormat#decodeWritten}. */
    static final class Layout {
      int startLineEnd;
      int bodyOffset;
      int count;
      int[] offsets;

      Layout(int fields) {
        offsets = new int[fields * 4];
      }

      void field(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        if (count * 4 == offsets.length) offsets = Arrays.copyOf(offsets, offsets.length * 2 + 4);
        int o = count++ * 4;
        offsets[o] = nameStart;
        offsets[o + 1] = nameEnd;
        offsets[o + 2] = valueStart;
        offsets[o + 3] = valueEnd;
      }
    }

    /**
     * Writes and decodes the message. What our own code builds is not scanned again: the field
     * offsets come from writing it, and only the routing headers are parsed (the same checks as for
     * a parsed message, so a bad value still fails here). Anything the shortcut does not cover
     * takes the full decode, which alone gives the verdict.
     */
    SipMessage buildMessage(String startLine) {
      Layout at = new Layout(names.size() + 1);
      byte[] bytes = write(startLine, at);
      try {
        SipMessage m = WireFormat.decodeWritten(bytes, at);
        if (m != null) return m;
        return WireFormat.decodeBuilt(bytes);
      } catch (SipParseException e) {
        throw new IllegalArgumentException(
            "built message is not valid SIP: "
                + e.getMessage()
                + "\n"
                + new String(bytes, StandardCharsets.UTF_8),
            e);
      }
    }
  }
}
