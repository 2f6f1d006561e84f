package io.parley.cluster;

import io.parley.model.StoredCredentials;
import java.io.Serial;
import java.io.Serializable;

/** {@link StoredCredentials} as held in {@code parley.credentials}; never printed with its HA1s. */
record CachedCredentials(
    long userId, String sipUri, boolean enabled, String ha1Md5, String ha1Sha256)
    implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  static CachedCredentials of(StoredCredentials c) {
    return new CachedCredentials(c.userId(), c.sipUri(), c.enabled(), c.ha1Md5(), c.ha1Sha256());
  }

  StoredCredentials toStored() {
    return new StoredCredentials(userId, sipUri, enabled, ha1Md5, ha1Sha256);
  }

  @Override
  public String toString() {
    return toStored().toString();
  }
}
