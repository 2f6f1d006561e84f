package io.parley.sip.message;

import java.util.Map;

/** A tel URI (RFC 3966): the number as written and its parameters (lower-case keys). */
public record TelUri(String number, Map<String, String> params) implements Uri {
  @Override
  public String scheme() {
    return "tel";
  }

  public static TelUri parse(String s) throws SipParseException {
    if (s.length() < 5 || !s.regionMatches(true, 0, "tel:", 0, 4)) {
      throw new SipParseException("Bad URI");
    }
    int semi = s.indexOf(';', 4);
    String number = semi < 0 ? s.substring(4) : s.substring(4, semi);
    if (number.isEmpty()) throw new SipParseException("Bad URI");
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && "+-.()*#".indexOf(c) < 0) {
        throw new SipParseException("Bad URI");
      }
    }
    Map<String, String> params = semi < 0 ? Map.of() : Lex.params(s, semi, "URI");
    return new TelUri(number, params);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("tel:").append(number);
    Lex.appendParams(sb, params);
    return sb.toString();
  }
}
