package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The header fields of a message in wire order. Values are held as byte offsets into the message's
 * original bytes and decoded to a String (UTF-8, line folding replaced by one SP) only on first
 * access, so headers nobody reads cost no allocation. Immutable; the lazy cache is benign under
 * races (every thread computes the same String).
 */
public final class Headers {
  private final byte[] raw;
  private final HeaderName[] names;
  private final int[] starts;
  private final int[] ends;
  private final @Nullable String[] values;
  private final int size;
  private final boolean folded;

  Headers(byte[] raw, HeaderName[] names, int[] starts, int[] ends, int size, boolean folded) {
    this.folded = folded;
    this.raw = raw;
    this.names = names;
    this.starts = starts;
    this.ends = ends;
    this.values = new String[size];
    this.size = size;
  }

  /**
   * These headers over {@code next}, which is the old bytes with one line of {@code delta} bytes
   * inserted where header {@code index} began; the new header's value is {@code next[start, end)}.
   * Values already decoded are kept.
   */
  Headers inserted(byte[] next, int index, HeaderName name, int start, int end, int delta) {
    int n = size + 1;
    HeaderName[] nn = new HeaderName[n];
    int[] ns = new int[n];
    int[] ne = new int[n];
    System.arraycopy(names, 0, nn, 0, index);
    System.arraycopy(starts, 0, ns, 0, index);
    System.arraycopy(ends, 0, ne, 0, index);
    nn[index] = name;
    ns[index] = start;
    ne[index] = end;
    for (int i = index; i < size; i++) {
      nn[i + 1] = names[i];
      ns[i + 1] = starts[i] + delta;
      ne[i + 1] = ends[i] + delta;
    }
    Headers h = new Headers(next, nn, ns, ne, n, folded);
    System.arraycopy(values, 0, h.values, 0, index);
    System.arraycopy(values, index, h.values, index + 1, size - index);
    return h;
  }

  byte[] raw() {
    return raw;
  }

  /** Offset of value {@code index} in {@link #raw()} (trimmed; may contain folding CRLFs). */
  int start(int index) {
    return starts[index];
  }

  int end(int index) {
    return ends[index];
  }

  public int size() {
    return size;
  }

  public HeaderName name(int index) {
    if (index >= size) throw new IndexOutOfBoundsException(index);
    return names[index];
  }

  /** The field value of header {@code index}: trimmed, folding replaced by a single space. */
  public String value(int index) {
    if (index >= size) throw new IndexOutOfBoundsException(index);
    String v = values[index];
    if (v == null) {
      v =
          folded
              ? decode(raw, starts[index], ends[index])
              : new String(raw, starts[index], ends[index] - starts[index], StandardCharsets.UTF_8);
      values[index] = v;
    }
    return v;
  }

  static String decode(byte[] raw, int s, int e) {
    boolean folded = false;
    for (int i = s; i < e; i++) {
      if (raw[i] == '\r' || raw[i] == '\n') {
        folded = true;
        break;
      }
    }
    if (!folded) return new String(raw, s, e - s, StandardCharsets.UTF_8);
    byte[] b = new byte[e - s];
    int o = 0;
    for (int i = s; i < e; i++) {
      byte c = raw[i];
      if (c == '\r' || c == '\n') {
        // LWS = [*WSP CRLF] 1*WSP: collapse the whole run, and the WSP before it, to one SP
        while (o > 0 && (b[o - 1] == ' ' || b[o - 1] == '\t')) o--;
        while (i + 1 < e
            && (raw[i + 1] == '\r'
                || raw[i + 1] == '\n'
                || raw[i + 1] == ' '
                || raw[i + 1] == '\t')) {
          i++;
        }
        b[o++] = ' ';
      } else {
        b[o++] = c;
      }
    }
    return new String(b, 0, o, StandardCharsets.UTF_8);
  }

  public boolean contains(HeaderName name) {
    return indexOf(name, 0) >= 0;
  }

  /** Number of header fields (lines) with this name. */
  public int count(HeaderName name) {
    int c = 0;
    for (int i = 0; i < size; i++) if (names[i].equals(name)) c++;
    return c;
  }

  int indexOf(HeaderName name, int from) {
    for (int i = from; i < size; i++) if (names[i].equals(name)) return i;
    return -1;
  }

  /** Value of the first field with this name (not comma-split), or null. */
  public @Nullable String first(HeaderName name) {
    int i = indexOf(name, 0);
    return i < 0 ? null : value(i);
  }

  /** All field values with this name in order, not comma-split. */
  public List<String> all(HeaderName name) {
    List<String> out = new ArrayList<>(2);
    for (int i = 0; i < size; i++) if (names[i].equals(name)) out.add(value(i));
    return out;
  }

  /** All values with this name, comma-split per RFC 3261 §7.3.1 when the header is a list. */
  public List<String> values(HeaderName name) {
    List<String> out = new ArrayList<>(2);
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        if (name.isList()) out.addAll(Lex.splitComma(value(i)));
        else out.add(value(i));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < size; i++) {
      sb.append(names[i].display()).append(": ").append(value(i)).append("\r\n");
    }
    return sb.toString();
  }
}
