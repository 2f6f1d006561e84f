package io.parley.model;

/**
 * What the authenticator needs to check a digest response for one user in one realm. The HA1 values
 * are password equivalents for that realm, so {@link #toString()} never shows them.
 *
 * @param userId id of the owning {@link UserAccount}
 * @param sipUri canonical address of record of the user
 * @param enabled false if the account is disabled: authentication must fail (403), not 401
 * @param ha1Md5 hex(MD5(username:realm:password)), lower-case (RFC 2617 / RFC 7616)
 * @param ha1Sha256 hex(SHA-256(username:realm:password)), lower-case (RFC 7616 / RFC 8760)
 */
public record StoredCredentials(
    long userId, String sipUri, boolean enabled, String ha1Md5, String ha1Sha256) {

  @Override
  public String toString() {
    return "StoredCredentials[userId="
        + userId
        + ", sipUri="
        + sipUri
        + ", enabled="
        + enabled
        + ", ha1=<redacted>]";
  }
}
