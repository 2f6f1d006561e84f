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

  @Override
  public String toString() {
    return sequence + " " + method;
  }
}
