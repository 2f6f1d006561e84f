package io.parley.registrar;

import io.parley.sip.message.SipParseException;
import io.parley.sip.message.SipUri;
import io.parley.sip.message.Uri;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The canonical spelling of an address-of-record: {@code sip:user@host}, both lower-case, no port
 * or parameters; {@code sips:} folds to {@code sip:} (one account, whichever transport). User parts
 * are lower-cased because Parley provisions usernames lower-case (see {@code DigestHa1}), so {@code
 * Alice} and {@code alice} must be the same account.
 */
public final class Aors {

  private Aors() {}

  /** The AOR of a sip/sips URI with a user part, else null. */
  public static @Nullable String of(Uri uri) {
    if (!(uri instanceof SipUri sip) || sip.user() == null || sip.user().isEmpty()) {
      return null;
    }
    return "sip:" + sip.user().toLowerCase(Locale.ROOT) + "@" + sip.host().toLowerCase(Locale.ROOT);
  }

  /** The canonical AOR of a stored {@code sip:} URI string, or the string lower-cased. */
  public static String canonical(String sipUri) {
    try {
      String aor = of(SipUri.parse(sipUri));
      return aor != null ? aor : sipUri.toLowerCase(Locale.ROOT);
    } catch (SipParseException | RuntimeException e) {
      return sipUri.toLowerCase(Locale.ROOT);
    }
  }

  /** The host (domain) of a canonical AOR. */
  public static String domain(String aor) {
    int at = aor.lastIndexOf('@');
    return at < 0 ? "" : aor.substring(at + 1);
  }
}
