package io.parley.sip.parse;

/** Byte-level helpers for locating the header block end and Content-Length without parsing. */
final class Framing {
  private Framing() {}

  static final long MISSING = -1;
  static final long INVALID = -2;
  static final long MULTIPLE = -3;

  private static final byte[] CONTENT_LENGTH = "content-length".getBytes();

  /** Index just after the first CRLFCRLF in {@code [from, end)}, or -1. */
  static int headerEnd(byte[] b, int from, int end) {
    for (int i = from; i + 3 < end; i++) {
      if (b[i + 3] == '\n') {
        if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r') return i + 4;
      } else if (b[i + 3] != '\r') {
        i += 3; // neither CR nor LF at i+3: no CRLFCRLF can start at i..i+3
      }
    }
    return -1;
  }

  static boolean hasBareLf(byte[] b, int from, int end) {
    for (int i = from; i < end; i++)
      if (b[i] == '\n' && (i == from || b[i - 1] != '\r')) return true;
    return false;
  }

  private static final boolean[] TOKEN = new boolean[256];

  static {
    for (int c = 0; c < 128; c++) {
      TOKEN[c] =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-.!%*_+`'~".indexOf(c) >= 0;
    }
  }

  private static boolean tokenChar(byte c) {
    return TOKEN[c & 0xff];
  }

  /**
   * The Content-Length of the header block {@code [from, end)} (start line included, ending with
   * the blank line), or {@link #MISSING}, {@link #INVALID} (not a non-negative decimal that fits an
   * int) or {@link #MULTIPLE}.
   */
  static long contentLength(byte[] b, int from, int end) {
    int i = nextLine(b, from, end);
    long found = MISSING;
    while (i < end && b[i] != '\r') {
      int first = b[i] | 0x20;
      int fe = nextLine(b, i, end); // start of the next field (after CRLF, folding included)
      if (first == 'c' || first == 'l') {
        int ns = i;
        while (i < fe && tokenChar(b[i])) i++;
        int ne = i;
        while (i < fe && (b[i] == ' ' || b[i] == '\t')) i++;
        if (i < fe && b[i] == ':' && isContentLength(b, ns, ne)) {
          if (found != MISSING) return MULTIPLE;
          found = number(b, i + 1, fe);
          if (found == INVALID) return INVALID;
        }
      }
      i = fe;
    }
    return found;
  }

  /** Index after the CRLF that ends the field at {@code i} (a CRLF followed by SP/HT folds). */
  private static int nextLine(byte[] b, int i, int end) {
    while (i < end) {
      if (b[i++] == '\n' && (i >= end || (b[i] != ' ' && b[i] != '\t'))) return i;
    }
    return end;
  }

  private static boolean isContentLength(byte[] b, int s, int e) {
    if (e - s == 1) return (b[s] | 0x20) == 'l';
    if (e - s != CONTENT_LENGTH.length) return false;
    for (int k = 0; k < CONTENT_LENGTH.length; k++) {
      if ((b[s + k] | 0x20) != CONTENT_LENGTH[k]) return false;
    }
    return true;
  }

  private static long number(byte[] b, int s, int e) {
    while (s < e && isLws(b[s])) s++;
    while (e > s && isLws(b[e - 1])) e--;
    if (s == e) return INVALID;
    long v = 0;
    for (int k = s; k < e; k++) {
      if (b[k] < '0' || b[k] > '9') return INVALID;
      v = v * 10 + (b[k] - '0');
      if (v > Integer.MAX_VALUE) return INVALID;
    }
    return v;
  }

  private static boolean isLws(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }
}
