package io.parley.app;

import io.parley.model.StoredCredentials;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where the authenticator finds HA1s. Implementations must not block the calling (event-loop)
 * thread and should complete on the caller's Vert.x context (as {@code executeBlocking} does).
 */
@FunctionalInterface
public interface CredentialSource {

  /**
   * The credentials of {@code username} (the lower-case local part Parley provisions) in {@code
   * realm}; empty when unknown. Disabled users are returned with {@code enabled=false}.
   */
  Future<Optional<StoredCredentials>> lookup(String username, String realm);
}
