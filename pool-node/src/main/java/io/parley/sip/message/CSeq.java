package io.parley.sip.message;

/** The CSeq header: a 32-bit unsigned sequence number and a method token. */
public record CSeq(long sequence, String method) {

  /** Parses "1*DIGIT LWS method"; the number must fit 32 bits unsigned (RFC 3261 §8.1.1.5). */
  public static CSeq parse(String v) throws SipParseException {
    int i = 0;
    int n = v.length();
    long seq = 0;
    while (i < n && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
      seq = seq * 10 + (v.charAt(i) - '0');
      if (seq > 0xFFFF_FFFFL) throw new SipParseException("Bad CSeq");
      i++;
    }
    if (i == 0 || i >= n || !Lex.isWs(v.charAt(i))) throw new SipParseException("Bad CSeq");
    String method = v.substring(Lex.skipWs(v, i)).strip();
    if (!Lex.isToken(method)) throw new SipParseException("Bad CSeq");
    return new CSeq(seq, method);
  }

  private static final String[] COMMON_METHODS = WireFormat.KNOWN_METHODS.toArray(new String[0]);

  /**
   * Header {@code i} of {@code h} read from the bytes when it has the plain form {@code digits
   * SP/HT token}; anything else goes through {@link #parse(String)}, so the verdict is the same.
   * Known methods are shared constants.
   */
  static CSeq parse(Headers h, int i) throws SipParseException {
    byte[] b = h.raw();
    int s = h.start(i);
    int e = h.end(i);
    int k = s;
    long seq = 0;
    while (k < e && b[k] >= '0' && b[k] <= '9') {
      seq = seq * 10 + (b[k] - '0');
      if (seq > 0xFFFF_FFFFL) throw new SipParseException("Bad CSeq");
      k++;
    }
    if (k == s || k >= e || (b[k] != ' ' && b[k] != '\t')) return parse(h.value(i));
    while (k < e && (b[k] == ' ' || b[k] == '\t')) k++;
    int ms = k;
    while (k < e && Lex.isTokenChar(b[k])) k++;
    if (k == ms || k != e) return parse(h.value(i));
    return new CSeq(seq, method(b, ms, e));
  }

  private static String method(byte[] b, int s, int e) {
    for (String m : COMMON_METHODS) {
      if (m.length() == e - s) {
        boolean same = true;
        for (int k = 0; k < m.length() && same; k++) same = b[s + k] == m.charAt(k);
        if (same) return m;
      }
    }
    return new String(b, s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @Override
  public String toString() {
    return sequence + " " + method;
  }
}
