package io.parley.xcap;

import org.jspecify.annotations.Nullable;

/**
 * An XCAP request that cannot be served, with the HTTP status it is answered with and, for 409, the
 * {@code application/xcap-error+xml} body (RFC 4825 §11) naming the cause. Unchecked so that it can
 * leave a read-modify-write callback (and roll its transaction back).
 */
public final class XcapException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final @Nullable String xcapError;
  private final @Nullable String etag;

  private XcapException(
      int status, String message, @Nullable String xcapError, @Nullable String etag) {
    super(message, null, false, false);
    this.status = status;
    this.xcapError = xcapError;
    this.etag = etag;
  }

  private XcapException(int status, String message, @Nullable String xcapError) {
    this(status, message, xcapError, null);
  }

  /** 304 for a GET whose If-None-Match names the current version; carries that ETag. */
  public static XcapException notModified(String etag) {
    return new XcapException(304, "not modified", null, etag);
  }

  /** A plain HTTP error (404, 412, 415 ...) without body. */
  public static XcapException status(int status, String message) {
    return new XcapException(status, message, null);
  }

  /** 409: the body is not well-formed XML. */
  public static XcapException notWellFormed(String detail) {
    return conflict(detail, "<not-well-formed/>");
  }

  /** 409: the body is not the single element a node selector asked for. */
  public static XcapException notXmlFragment(String detail) {
    return conflict(detail, "<not-xml-frag/>");
  }

  /** 409: well-formed but not a valid document of the application usage. */
  public static XcapException schema(String detail) {
    return conflict(detail, "<schema-validation-error/>");
  }

  /** 409: valid, but outside what Parley stores (nested lists, conditions other than identity). */
  public static XcapException constraint(String phrase) {
    return conflict(phrase, "<constraint-failure phrase=\"" + Xml.escape(phrase) + "\"/>");
  }

  /** 409: a value that must be unique among siblings (list name, entry URI, rule id) repeats. */
  public static XcapException uniqueness(String field, String value) {
    return conflict(
        field + " repeats " + value,
        "<uniqueness-failure><exists field=\"" + Xml.escape(field) + "\"/></uniqueness-failure>");
  }

  /** 409: the element selected for a PUT has no parent (its list or document is missing). */
  public static XcapException noParent(String ancestor) {
    return conflict(
        "no parent", "<no-parent><ancestor>" + Xml.escape(ancestor) + "</ancestor></no-parent>");
  }

  /** 409: the element in a PUT body does not match its node selector. */
  public static XcapException cannotInsert(String detail) {
    return conflict(detail, "<cannot-insert/>");
  }

  private static XcapException conflict(String message, String inner) {
    return new XcapException(
        409,
        message,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<xcap-error xmlns=\"urn:ietf:params:xml:ns:xcap-error\">"
            + inner
            + "</xcap-error>\n");
  }

  public int status() {
    return status;
  }

  /** The document's current ETag, sent with a 304; else null. */
  public @Nullable String etag() {
    return etag;
  }

  /** The {@code xcap-error} document for a 409, else null. */
  public @Nullable String xcapError() {
    return xcapError;
  }
}
