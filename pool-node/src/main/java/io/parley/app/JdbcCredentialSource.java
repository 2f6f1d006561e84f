package io.parley.app;

import io.parley.db.user.CredentialRepository;
import io.parley.model.StoredCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Optional;

/**
 * {@link CredentialSource} over the database. The repository call is blocking JDBC, so it runs on a
 * Vert.x worker thread, unordered (lookups are independent and may run in parallel); the result is
 * delivered back on the calling context.
 */
public final class JdbcCredentialSource implements CredentialSource {

  private final Vertx vertx;
  private final CredentialRepository repository;

  public JdbcCredentialSource(Vertx vertx, CredentialRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  @Override
  public Future<Optional<StoredCredentials>> lookup(String username, String realm) {
    return vertx.executeBlocking(() -> repository.lookup(username, realm), false);
  }
}
