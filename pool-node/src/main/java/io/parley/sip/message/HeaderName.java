package io.parley.sip.message;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A header field name: compared case-insensitively by its lower-case {@link #key()}, written in its
 * canonical {@link #display()} form. Compact forms (RFC 3261 §7.3.3 and later RFCs) resolve to the
 * long name. {@link #isList()} says whether the header's values may be comma-separated lists (RFC
 * 3261 §7.3.1); credential headers such as Authorization are never split.
 */
public final class HeaderName {
  private static final Map<String, HeaderName> KNOWN = new HashMap<>();

  public static final HeaderName VIA = known("Via", 'v', true);
  public static final HeaderName FROM = known("From", 'f', false);
  public static final HeaderName TO = known("To", 't', false);
  public static final HeaderName CALL_ID = known("Call-ID", 'i', false);
  public static final HeaderName CSEQ = known("CSeq", (char) 0, false);
  public static final HeaderName MAX_FORWARDS = known("Max-Forwards", (char) 0, false);
  public static final HeaderName ROUTE = known("Route", (char) 0, true);
  public static final HeaderName RECORD_ROUTE = known("Record-Route", (char) 0, true);
  public static final HeaderName CONTACT = known("Contact", 'm', true);
  public static final HeaderName CONTENT_LENGTH = known("Content-Length", 'l', false);
  public static final HeaderName CONTENT_TYPE = known("Content-Type", 'c', false);
  public static final HeaderName EXPIRES = known("Expires", (char) 0, false);
  public static final HeaderName MIN_EXPIRES = known("Min-Expires", (char) 0, false);
  public static final HeaderName AUTHORIZATION = known("Authorization", (char) 0, false);
  public static final HeaderName PROXY_AUTHORIZATION =
      known("Proxy-Authorization", (char) 0, false);
  public static final HeaderName WWW_AUTHENTICATE = known("WWW-Authenticate", (char) 0, false);
  public static final HeaderName PROXY_AUTHENTICATE = known("Proxy-Authenticate", (char) 0, false);
  public static final HeaderName AUTHENTICATION_INFO =
      known("Authentication-Info", (char) 0, false);
  public static final HeaderName ALLOW = known("Allow", (char) 0, true);
  public static final HeaderName SUPPORTED = known("Supported", 'k', true);
  public static final HeaderName REQUIRE = known("Require", (char) 0, true);
  public static final HeaderName PROXY_REQUIRE = known("Proxy-Require", (char) 0, true);
  public static final HeaderName UNSUPPORTED = known("Unsupported", (char) 0, true);
  public static final HeaderName EVENT = known("Event", 'o', false);
  public static final HeaderName SUBJECT = known("Subject", 's', false);
  public static final HeaderName USER_AGENT = known("User-Agent", (char) 0, false);
  public static final HeaderName SERVER = known("Server", (char) 0, false);
  public static final HeaderName RETRY_AFTER = known("Retry-After", (char) 0, false);
  public static final HeaderName ACCEPT = known("Accept", (char) 0, true);
  public static final HeaderName ALLOW_EVENTS = known("Allow-Events", 'u', true);
  public static final HeaderName SUBSCRIPTION_STATE = known("Subscription-State", (char) 0, false);
  public static final HeaderName WARNING = known("Warning", (char) 0, true);
  public static final HeaderName DATE = known("Date", (char) 0, false);
  public static final HeaderName SIP_ETAG = known("SIP-ETag", (char) 0, false);
  public static final HeaderName SIP_IF_MATCH = known("SIP-If-Match", (char) 0, false);
  public static final HeaderName PATH = known("Path", (char) 0, true);
  public static final HeaderName REFER_TO = known("Refer-To", 'r', false);
  public static final HeaderName REFERRED_BY = known("Referred-By", 'b', false);
  public static final HeaderName REASON = known("Reason", (char) 0, true);
  public static final HeaderName CONTENT_ENCODING = known("Content-Encoding", 'e', true);
  public static final HeaderName ACCEPT_CONTACT = known("Accept-Contact", 'a', true);
  public static final HeaderName REJECT_CONTACT = known("Reject-Contact", 'j', true);
  public static final HeaderName REQUEST_DISPOSITION = known("Request-Disposition", 'd', true);
  public static final HeaderName IDENTITY_INFO = known("Identity-Info", 'n', false);
  public static final HeaderName SESSION_EXPIRES = known("Session-Expires", 'x', false);
  public static final HeaderName IDENTITY = known("Identity", 'y', false);
  public static final HeaderName ACCEPT_ENCODING = known("Accept-Encoding", (char) 0, true);
  public static final HeaderName ACCEPT_LANGUAGE = known("Accept-Language", (char) 0, true);
  public static final HeaderName CALL_INFO = known("Call-Info", (char) 0, true);
  public static final HeaderName ALERT_INFO = known("Alert-Info", (char) 0, true);
  public static final HeaderName ERROR_INFO = known("Error-Info", (char) 0, true);
  public static final HeaderName IN_REPLY_TO = known("In-Reply-To", (char) 0, true);
  public static final HeaderName SERVICE_ROUTE = known("Service-Route", (char) 0, true);
  public static final HeaderName CONTENT_DISPOSITION =
      known("Content-Disposition", (char) 0, false);
  public static final HeaderName MIME_VERSION = known("MIME-Version", (char) 0, false);
  public static final HeaderName TIMESTAMP = known("Timestamp", (char) 0, false);

  private final String key;
  private final String display;
  private final char compact;
  private final boolean list;
  private final boolean known;

  private HeaderName(String key, String display, char compact, boolean list, boolean known) {
    this.key = key;
    this.display = display;
    this.compact = compact;
    this.list = list;
    this.known = known;
  }

  /** Every known name and compact form (lower-case) with its header, for byte-level lookup. */
  static Map<String, HeaderName> knownByKey() {
    return java.util.Collections.unmodifiableMap(KNOWN);
  }

  private static HeaderName known(String display, char compact, boolean list) {
    HeaderName h = new HeaderName(display.toLowerCase(Locale.ROOT), display, compact, list, true);
    KNOWN.put(h.key, h);
    if (compact != 0) KNOWN.put(String.valueOf(compact), h);
    return h;
  }

  /**
   * The header for a name in any case or its compact form. Unknown names are allowed; they keep the
   * spelling given as display form and are never comma-split.
   */
  public static HeaderName of(String anyCaseOrCompact) {
    String name = anyCaseOrCompact.strip();
    HeaderName h = KNOWN.get(name);
    if (h != null) return h;
    String key = name.toLowerCase(Locale.ROOT);
    h = KNOWN.get(key);
    return h != null ? h : new HeaderName(key, name, (char) 0, false, false);
  }

  /** Lower-case long name; the identity used by {@link #equals}. */
  public String key() {
    return key;
  }

  /** Canonical spelling for writing, e.g. "Call-ID". */
  public String display() {
    return display;
  }

  /** The compact form (e.g. "v" for Via), or null when the header has none. */
  public @Nullable String compactForm() {
    return compact == 0 ? null : String.valueOf(compact);
  }

  /** Whether values of this header may be comma-separated lists (RFC 3261 §7.3.1). */
  public boolean isList() {
    return list;
  }

  /** Whether this is one of the names the model knows (and resolves from compact form). */
  public boolean isKnown() {
    return known;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HeaderName h && h.key.equals(key);
  }

  @Override
  public int hashCode() {
    return key.hashCode();
  }

  @Override
  public String toString() {
    return display;
  }
}
