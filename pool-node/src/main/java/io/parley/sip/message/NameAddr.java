package io.parley.sip.message;

import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A name-addr or addr-spec with header parameters, as in From, To, Contact, Route (RFC 3261
 * §20.10). In addr-spec form (no angle brackets) everything after the first ';' is a header
 * parameter, not a URI parameter, and a URI with '?' is refused (it must be in angle brackets, RFC
 * 3261 §20).
 *
 * @param displayName without quotes and backslash escapes; null when absent
 * @param params header parameters, ordered, lower-case keys, "" for flags, values as written
 */
public record NameAddr(@Nullable String displayName, Uri uri, Map<String, String> params) {

  public @Nullable String tag() {
    return params.get("tag");
  }

  public @Nullable String param(String name) {
    return params.get(name.toLowerCase(Locale.ROOT));
  }

  public NameAddr withTag(String tag) {
    return withParam("tag", tag);
  }

  public NameAddr withParam(String name, String value) {
    return new NameAddr(displayName, uri, Lex.with(params, name, value));
  }

  public static NameAddr parse(String value) throws SipParseException {
    String s = value.strip();
    int n = s.length();
    if (n == 0) throw new SipParseException("Bad address");
    String display = null;
    int lt;
    if (s.charAt(0) == '"') {
      int e = Lex.endOfQuoted(s, 0);
      display = Lex.unquote(s, 0, e);
      lt = Lex.skipWs(s, e);
      if (lt >= n || s.charAt(lt) != '<') throw new SipParseException("Bad address");
    } else {
      lt = s.indexOf('<');
      if (lt >= 0) {
        String d = s.substring(0, lt).strip();
        for (int i = 0; i < d.length(); i++) {
          char c = d.charAt(i);
          if (!Lex.isTokenChar(c) && !Lex.isWs(c)) throw new SipParseException("Bad address");
        }
        display = d.isEmpty() ? null : d;
      }
    }
    Uri uri;
    int rest;
    if (lt >= 0) {
      int gt = s.indexOf('>', lt);
      if (gt < 0) throw new SipParseException("Bad address");
      String inner = s.substring(lt + 1, gt);
      if (inner.isEmpty() || inner.strip().length() != inner.length()) {
        throw new SipParseException("Bad address");
      }
      uri = Uri.parse(inner);
      rest = gt + 1;
    } else {
      int semi = s.indexOf(';');
      String spec = (semi < 0 ? s : s.substring(0, semi)).strip();
      if (spec.indexOf('?') >= 0 || spec.indexOf(' ') >= 0 || spec.indexOf('\t') >= 0) {
        throw new SipParseException("Bad address");
      }
      uri = Uri.parse(spec);
      rest = semi < 0 ? n : semi;
    }
    return new NameAddr(display, uri, Lex.params(s, rest, "address"));
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(80);
    if (displayName != null) {
      sb.append(Lex.isToken(displayName) ? displayName : Lex.quote(displayName)).append(' ');
    }
    sb.append('<').append(uri).append('>');
    Lex.appendParams(sb, params);
    return sb.toString();
  }
}
