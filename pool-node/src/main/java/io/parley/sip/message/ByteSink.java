package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A minimal growable byte buffer for serialisation (no synchronisation, unlike BAOS). */
final class ByteSink {
  private byte[] buf;
  private int len;

  ByteSink(int capacity) {
    buf = new byte[Math.max(capacity, 64)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
  }

  ByteSink ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
    return this;
  }

  ByteSink utf8(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      if (s.charAt(i) >= 0x80) return bytes(s.getBytes(StandardCharsets.UTF_8));
    }
    return ascii(s);
  }

  ByteSink crlf() {
    ensure(2);
    buf[len++] = '\r';
    buf[len++] = '\n';
    return this;
  }

  ByteSink bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  /** Bytes written so far (the offset the next byte goes to). */
  int length() {
    return len;
  }

  byte[] toArray() {
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }
}
