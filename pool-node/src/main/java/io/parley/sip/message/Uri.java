package io.parley.sip.message;

/** A URI in a Request-URI or a name-addr. {@code toString()} gives the wire form. */
public sealed interface Uri permits SipUri, TelUri, AbsoluteUri {
  /** Lower-case scheme, e.g. "sip", "sips", "tel". */
  String scheme();

  /** Parses any URI: sip/sips to {@link SipUri}, tel to {@link TelUri}, others opaque. */
  static Uri parse(String s) throws SipParseException {
    int colon = s.indexOf(':');
    if (colon <= 0) throw new SipParseException("Bad URI");
    if ((colon == 3 && s.regionMatches(true, 0, "sip", 0, 3))
        || (colon == 4 && s.regionMatches(true, 0, "sips", 0, 4))) {
      return SipUri.parse(s);
    }
    if (colon == 3 && s.regionMatches(true, 0, "tel", 0, 3)) return TelUri.parse(s);
    return AbsoluteUri.parse(s);
  }
}
