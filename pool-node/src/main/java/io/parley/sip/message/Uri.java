package io.parley.sip.message;

/** A URI in a Request-URI or a name-addr. {@code toString()} gives the wire form. */
public sealed interface Uri permits SipUri, TelUri, AbsoluteUri {
  /** Lower-case scheme, e.g. "sip", "sips", "tel". */
  String scheme();

  /** Parses any URI: sip/sips to {@link SipUri}, tel to {@link TelUri}, others opaque. */
  static Uri parse(String s) throws SipParseException {
    int colon = s.indexOf(':');
    if (colon <= 0) throw new SipParseException("Bad URI");
    String scheme = s.substring(0, colon);
    if (scheme.equalsIgnoreCase("sip") || scheme.equalsIgnoreCase("sips")) {
      return SipUri.parse(s);
    }
    if (scheme.equalsIgnoreCase("tel")) return TelUri.parse(s);
    return AbsoluteUri.parse(s);
  }
}
