package io.parley.db.user;

import java.util.Locale;
import java.util.regex.Pattern;

/** Normalisation and validation of the user and domain parts of an address of record. */
public final class UserNames {

  /**
   * RFC 3261 "user" characters without escapes (unreserved and user-unreserved), lower-case.
   * Escapes ({@code %xx}) are refused so that one user has exactly one spelling.
   */
  private static final Pattern USER = Pattern.compile("[a-z0-9\\-_.!~*'()&=+$,;?/]{1,128}");

  /** A DNS name (or IPv4 literal), lower-case. */
  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

  private UserNames() {}

  /**
   * The stored form of a username: lower-case.
   *
   * @throws IllegalArgumentException if it is empty, too long or has characters a SIP URI user part
   *     cannot carry unescaped
   */
  public static String username(String username) {
    String u = username.toLowerCase(Locale.ROOT);
    if (!USER.matcher(u).matches()) {
      throw new IllegalArgumentException("invalid username");
    }
    return u;
  }

  /**
   * The stored form of a domain: lower-case.
   *
   * @throws IllegalArgumentException if it is not a host name
   */
  public static String domain(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    if (!DOMAIN.matcher(d).matches()) {
      throw new IllegalArgumentException("invalid domain: " + domain);
    }
    return d;
  }

  /** The canonical address of record of already normalised parts. */
  public static String sipUri(String username, String domain) {
    return "sip:" + username + "@" + domain;
  }
}
