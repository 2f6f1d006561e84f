package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.app.CredentialSource;
import io.parley.model.StoredCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps users able to authenticate while the database is down. Every successful database answer
 * refreshes the pool-wide cache entry (TTL {@code ttl}); an unknown user removes it (a deleted user
 * must not keep authenticating from the cache). When the database fails or does not answer within
 * the timeout, the cache answers; when it has nothing either, the lookup fails with {@link
 * CredentialsUnavailableException} (answer 503, not 401). Cache writes are not awaited: the answer
 * never waits on the cache when the database is healthy.
 */
public final class CachingCredentialSource implements CredentialSource {

  private static final Logger log = LoggerFactory.getLogger(CachingCredentialSource.class);

  /** How long the database may take before the cache answers instead. */
  public static final Duration DEFAULT_DATABASE_TIMEOUT = Duration.ofSeconds(3);

  private final CredentialSource database;
  private final IMap<String, CachedCredentials> cache;
  private final Duration ttl;
  private final Duration databaseTimeout;

  public CachingCredentialSource(CredentialSource database, HazelcastInstance hz, Duration ttl) {
    this(database, hz, ttl, DEFAULT_DATABASE_TIMEOUT);
  }

  public CachingCredentialSource(
      CredentialSource database, HazelcastInstance hz, Duration ttl, Duration databaseTimeout) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException(
          "ttl must be positive: " + ttl); // 0 = forever to Hazelcast
    }
    this.database = database;
    this.cache = hz.getMap(PoolCluster.CREDENTIALS_MAP);
    this.ttl = ttl;
    this.databaseTimeout = databaseTimeout;
  }

  @Override
  public Future<Optional<StoredCredentials>> lookup(String username, String realm) {
    Context context = Vertx.currentContext();
    String key = realm + "\u0000" + username;
    CompletableFuture<Optional<StoredCredentials>> fromDb;
    try {
      fromDb =
          database
              .lookup(username, realm)
              .toCompletionStage()
              .toCompletableFuture()
              .orTimeout(databaseTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      fromDb = CompletableFuture.failedFuture(e);
    }
    return onContext(fromDb, context)
        .transform(
            db -> {
              if (db.succeeded()) {
                refresh(key, db.result());
                return Future.succeededFuture(db.result());
              }
              return fromCache(key, username, realm, db.cause(), context);
            });
  }

  private void refresh(String key, Optional<StoredCredentials> found) {
    try {
      CompletionStage<?> write =
          found.isPresent()
              ? cache.setAsync(
                  key, CachedCredentials.of(found.get()), ttl.toMillis(), TimeUnit.MILLISECONDS)
              : cache.removeAsync(key);
      write.exceptionally(
          e -> {
            log.debug("could not refresh the credential cache", e);
            return null;
          });
    } catch (RuntimeException e) {
      log.debug("could not refresh the credential cache", e);
    }
  }

  private Future<Optional<StoredCredentials>> fromCache(
      String key, String username, String realm, Throwable dbFailure, @Nullable Context context) {
    CompletionStage<CachedCredentials> cached;
    try {
      cached = cache.getAsync(key);
    } catch (RuntimeException e) {
      cached = CompletableFuture.failedFuture(e);
    }
    return onContext(cached, context)
        .transform(
            c -> {
              if (c.succeeded() && c.result() != null) {
                log.warn(
                    "credential database unavailable ({}); answering {} from the pool cache",
                    dbFailure.toString(),
                    username);
                return Future.succeededFuture(Optional.of(c.result().toStored()));
              }
              CredentialsUnavailableException e =
                  new CredentialsUnavailableException(
                      "credentials of " + username + " in " + realm + " unavailable", dbFailure);
              if (c.failed()) {
                e.addSuppressed(c.cause());
              }
              return Future.failedFuture(e);
            });
  }

  private static <T> Future<T> onContext(CompletionStage<T> stage, @Nullable Context context) {
    return context == null
        ? Future.fromCompletionStage(stage)
        : Future.fromCompletionStage(stage, context);
  }
}
