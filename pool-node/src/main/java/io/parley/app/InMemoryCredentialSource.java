package io.parley.app;

import io.parley.auth.DigestAlgorithm;
import io.parley.model.StoredCredentials;
import io.vertx.core.Future;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link CredentialSource} held in memory: tests, demos and a database-less standalone node. */
public final class InMemoryCredentialSource implements CredentialSource {

  private final Map<String, StoredCredentials> users = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  /**
   * Adds (or replaces) {@code username@domain} with realm = domain, hashing the lower-case username
   * as Parley's provisioning does.
   */
  public InMemoryCredentialSource add(
      String username, String domain, String password, boolean enabled) {
    String user = username.toLowerCase(Locale.ROOT);
    String realm = domain.toLowerCase(Locale.ROOT);
    users.put(
        key(user, realm),
        new StoredCredentials(
            ids.incrementAndGet(),
            "sip:" + user + "@" + realm,
            enabled,
            DigestAlgorithm.MD5.ha1(user, realm, password),
            DigestAlgorithm.SHA_256.ha1(user, realm, password)));
    return this;
  }

  @Override
  public Future<Optional<StoredCredentials>> lookup(String username, String realm) {
    return Future.succeededFuture(
        Optional.ofNullable(users.get(key(username.toLowerCase(Locale.ROOT), realm))));
  }

  private static String key(String user, String realm) {
    return user + "\u0000" + realm;
  }
}
