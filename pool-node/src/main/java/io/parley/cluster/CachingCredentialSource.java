package io.parley.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.parley.app.CredentialSource;
import io.parley.model.StoredCredentials;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials for the authenticator, from the database, with two caches:
 *
 * <ul>
 *   <li><b>Local, short-lived</b> ({@link Settings#freshFor}, default {@value
 *       #DEFAULT_FRESH_FOR_SECONDS} s): a user's credentials answered by the database are reused on
 *       this node for that long without asking again (a busy user signs in and sends messages many
 *       times a minute; one JDBC query per request was a sixth of a node's CPU). So a password
 *       change, a disabled or a deleted user takes effect on every node within that time. Bounded
 *       ({@link Settings#localCapacity} users, least recently used dropped first). Unknown users
 *       are not cached: a user created a second ago can sign in at once.
 *   <li><b>Pool-wide, for outages</b> ({@code parley.credentials}, TTL {@link Settings#poolTtl}):
 *       keeps users able to authenticate while the database is down. A database answer writes it
 *       only when this node has not written the same credentials within {@link
 *       Settings#poolRefresh} (was: every lookup, a Hazelcast write plus a serialisation per
 *       request); an unknown user removes it (a deleted user must not keep authenticating from it).
 *       Writes are not awaited.
 * </ul>
 *
 * When the database fails, or does not answer within {@link Settings#databaseTimeout}, the pool
 * cache answers. When it has nothing either: a failed database fails the lookup at once, but a slow
 * one is waited for up to {@link Settings#firstLookupTimeout} in all (a first sign-in on a loaded
 * host must not look like an outage; the client's own transaction times out after ~32 s). Only then
 * does the lookup fail with {@link CredentialsUnavailableException} (answer 503, not 401).
 */
public final class CachingCredentialSource implements CredentialSource {

  private static final Logger log = LoggerFactory.getLogger(CachingCredentialSource.class);

  /** How long the database may take before the pool cache answers instead. */
  public static final Duration DEFAULT_DATABASE_TIMEOUT = Duration.ofSeconds(3);

  /** How long a lookup waits for a slow database when no cache has the user (below timer F). */
  public static final Duration DEFAULT_FIRST_LOOKUP_TIMEOUT = Duration.ofSeconds(25);

  static final long DEFAULT_FRESH_FOR_SECONDS = 60;

  /** How long this node reuses a database answer without asking again. */
  public static final Duration DEFAULT_FRESH_FOR = Duration.ofSeconds(DEFAULT_FRESH_FOR_SECONDS);

  /** How often this node rewrites an unchanged pool cache entry (its TTL is much longer). */
  public static final Duration DEFAULT_POOL_REFRESH = Duration.ofHours(1);

  /** Users whose credentials one node keeps locally (about 300 bytes each). */
  public static final int DEFAULT_LOCAL_CAPACITY = 50_000;

  /**
   * Timing and size of the caches.
   *
   * @param poolTtl lifetime of a pool cache entry after its last write (the outage window covered)
   * @param databaseTimeout wait for the database before asking the pool cache
   * @param firstLookupTimeout total wait for a slow database when the pool cache has nothing
   * @param freshFor how long a database answer is reused locally; ZERO disables the local cache
   * @param poolRefresh minimum interval between two writes of the same pool cache entry by this
   *     node
   * @param localCapacity users held in the local cache
   */
  public record Settings(
      Duration poolTtl,
      Duration databaseTimeout,
      Duration firstLookupTimeout,
      Duration freshFor,
      Duration poolRefresh,
      int localCapacity) {

    public Settings {
      if (poolTtl.isNegative() || poolTtl.isZero()) {
        // 0 = forever to Hazelcast
        throw new IllegalArgumentException("poolTtl must be positive: " + poolTtl);
      }
      if (firstLookupTimeout.compareTo(databaseTimeout) < 0) {
        throw new IllegalArgumentException("firstLookupTimeout < databaseTimeout");
      }
      if (freshFor.isNegative() || poolRefresh.isNegative() || localCapacity < 0) {
        throw new IllegalArgumentException("negative cache setting");
      }
    }

    public static Settings defaults(Duration poolTtl) {
      return new Settings(
          poolTtl,
          DEFAULT_DATABASE_TIMEOUT,
          DEFAULT_FIRST_LOOKUP_TIMEOUT,
          DEFAULT_FRESH_FOR,
          DEFAULT_POOL_REFRESH,
          DEFAULT_LOCAL_CAPACITY);
    }
  }

  /** A database answer held locally: when it was read and when this node last wrote the pool. */
  private record Local(
      StoredCredentials credentials, long readAtMillis, long poolWrittenAtMillis) {}

  private final CredentialSource database;
  private final IMap<String, CachedCredentials> cache;
  private final Settings settings;
  private final Clock clock;
  private final Map<String, Local> local;

  public CachingCredentialSource(CredentialSource database, HazelcastInstance hz, Duration ttl) {
    this(database, hz, Settings.defaults(ttl), Clock.systemUTC());
  }

  public CachingCredentialSource(
      CredentialSource database, HazelcastInstance hz, Settings settings, Clock clock) {
    this.database = database;
    this.cache = hz.getMap(PoolCluster.CREDENTIALS_MAP);
    this.settings = settings;
    this.clock = clock;
    int capacity = settings.localCapacity();
    // Access-ordered LRU under one lock: the critical sections are a few map operations.
    this.local =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Local> eldest) {
            return size() > capacity;
          }
        };
  }

  @Override
  public Future<Optional<StoredCredentials>> lookup(String username, String realm) {
    String key = realm + "\u0000" + username;
    long now = clock.millis();
    Local held = localEntry(key);
    if (held != null && now - held.readAtMillis() < settings.freshFor().toMillis()) {
      return Future.succeededFuture(Optional.of(held.credentials()));
    }
    Context context = Vertx.currentContext();
    CompletableFuture<Optional<StoredCredentials>> fromDb;
    try {
      fromDb = database.lookup(username, realm).toCompletionStage().toCompletableFuture();
    } catch (RuntimeException e) {
      fromDb = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Optional<StoredCredentials>> db = fromDb;
    return onContext(within(db, settings.databaseTimeout()), context)
        .transform(
            first -> {
              if (first.succeeded()) {
                remember(key, first.result());
                return Future.succeededFuture(first.result());
              }
              return fromCache(key, username, unwrap(first.cause()), context)
                  .transform(
                      cached -> {
                        if (cached.succeeded() && cached.result() != null) {
                          return Future.succeededFuture(Optional.of(cached.result().toStored()));
                        }
                        Throwable dbFailure = unwrap(first.cause());
                        if (!(dbFailure instanceof TimeoutException)) {
                          return unavailable(username, realm, dbFailure, cached.cause());
                        }
                        // Slow, not down, and nothing cached: keep waiting for the database.
                        Duration rest =
                            settings.firstLookupTimeout().minus(settings.databaseTimeout());
                        return onContext(within(db, rest), context)
                            .transform(
                                late -> {
                                  if (late.succeeded()) {
                                    remember(key, late.result());
                                    return Future.succeededFuture(late.result());
                                  }
                                  return unavailable(
                                      username, realm, unwrap(late.cause()), cached.cause());
                                });
                      });
            });
  }

  /** Drops this node's local copy of every user (tests, or an operator after a mass change). */
  public void forgetLocal() {
    synchronized (local) {
      local.clear();
    }
  }

  private @Nullable Local localEntry(String key) {
    if (settings.freshFor().isZero()) {
      return null;
    }
    synchronized (local) {
      return local.get(key);
    }
  }

  private void remember(String key, Optional<StoredCredentials> found) {
    long now = clock.millis();
    if (found.isEmpty()) {
      synchronized (local) {
        local.remove(key);
      }
      write(cache.removeAsync(key));
      return;
    }
    StoredCredentials c = found.get();
    Local previous;
    synchronized (local) {
      previous = local.get(key);
    }
    boolean poolCurrent =
        previous != null
            && previous.credentials().equals(c)
            && now - previous.poolWrittenAtMillis() < settings.poolRefresh().toMillis();
    long poolWrittenAt = poolCurrent ? previous.poolWrittenAtMillis() : now;
    if (!settings.freshFor().isZero()) {
      synchronized (local) {
        local.put(key, new Local(c, now, poolWrittenAt));
      }
    }
    if (!poolCurrent) {
      try {
        write(
            cache.setAsync(
                key,
                CachedCredentials.of(c),
                settings.poolTtl().toMillis(),
                TimeUnit.MILLISECONDS));
      } catch (RuntimeException e) {
        log.debug("could not refresh the credential cache", e);
      }
    }
  }

  private static void write(CompletionStage<?> write) {
    // A named executor: Hazelcast's default one may start a thread per callback.
    write.whenCompleteAsync(
        (ok, e) -> {
          if (e != null) {
            log.debug("could not refresh the credential cache", e);
          }
        },
        HazelcastFutures.DIRECT);
  }

  private Future<@Nullable CachedCredentials> fromCache(
      String key, String username, Throwable dbFailure, @Nullable Context context) {
    return HazelcastFutures.<@Nullable CachedCredentials>async(() -> cache.getAsync(key), context)
        .onSuccess(
            c -> {
              if (c != null) {
                log.warn(
                    "credential database unavailable ({}); answering {} from the pool cache",
                    dbFailure.toString(),
                    username);
              }
            });
  }

  private static <T> Future<T> unavailable(
      String username, String realm, Throwable dbFailure, @Nullable Throwable cacheFailure) {
    CredentialsUnavailableException e =
        new CredentialsUnavailableException(
            "credentials of " + username + " in " + realm + " unavailable", dbFailure);
    if (cacheFailure != null) {
      e.addSuppressed(cacheFailure);
    }
    return Future.failedFuture(e);
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static <T> CompletableFuture<T> within(CompletableFuture<T> db, Duration timeout) {
    // A copy: orTimeout completes the future it is called on, and the database answer may still be
    // waited for after this first timeout.
    return db.copy().orTimeout(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
  }

  private static <T> Future<T> onContext(CompletionStage<T> stage, @Nullable Context context) {
    return context == null
        ? Future.fromCompletionStage(stage)
        : Future.fromCompletionStage(stage, context);
  }
}
