package io.parley.sip.message;

import java.util.Locale;

/** A URI of a scheme the model does not interpret (RFC 3261 absoluteURI), kept opaque. */
public record AbsoluteUri(String scheme, String schemeSpecificPart) implements Uri {

  /** Parses {@code scheme:opaque}; the scheme must be ALPHA *(ALPHA / DIGIT / "+" / "-" / "."). */
  public static AbsoluteUri parse(String s) throws SipParseException {
    int colon = s.indexOf(':');
    if (colon <= 0 || colon == s.length() - 1) throw new SipParseException("Bad URI");
    char first = s.charAt(0);
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
      throw new SipParseException("Bad URI");
    }
    for (int i = 1; i < colon; i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '+' && c != '-' && c != '.') {
        throw new SipParseException("Bad URI");
      }
    }
    for (int i = colon + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c >= 127 || c == '<' || c == '>' || c == '"') {
        throw new SipParseException("Bad URI");
      }
    }
    return new AbsoluteUri(s.substring(0, colon).toLowerCase(Locale.ROOT), s.substring(colon + 1));
  }

  @Override
  public String toString() {
    return scheme + ":" + schemeSpecificPart;
  }
}
