package io.parley.cluster;

import static io.parley.cluster.ClusterTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.parley.app.CredentialSource;
import io.parley.model.StoredCredentials;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two members, each with its own view of one database that the tests break at will. */
class CachingCredentialSourceIT {

  private static final String REALM = "example.test";
  private static final AtomicLong USERS = new AtomicLong();

  private static List<HazelcastInstance> members;

  /** The database: per user, what the next lookups answer. */
  private static final Map<String, Mode> modes = new ConcurrentHashMap<>();

  private enum Mode {
    KNOWN,
    UNKNOWN,
    DOWN,
    HANGING,
    SLOW
  }

  /** Database lookups per user, to see which lookups the local cache answered. */
  private static final Map<String, AtomicLong> queries = new ConcurrentHashMap<>();

  private static final Duration SLOW_ANSWER = Duration.ofMillis(900);

  private static final CredentialSource DATABASE =
      (username, realm) -> {
        queries.computeIfAbsent(username, u -> new AtomicLong()).incrementAndGet();
        return switch (modes.getOrDefault(username, Mode.UNKNOWN)) {
          case KNOWN -> Future.succeededFuture(Optional.of(credentials(username)));
          case SLOW ->
              Future.fromCompletionStage(
                  CompletableFuture.supplyAsync(
                      () -> Optional.of(credentials(username)),
                      CompletableFuture.delayedExecutor(
                          SLOW_ANSWER.toMillis(), TimeUnit.MILLISECONDS)));
          case UNKNOWN -> Future.succeededFuture(Optional.empty());
          case DOWN -> Future.failedFuture(new IllegalStateException("connection refused"));
          case HANGING -> Promise.<Optional<StoredCredentials>>promise().future();
        };
      };

  /** The outage tests: every lookup asks the database (no local cache), short timeouts. */
  private static CachingCredentialSource.Settings outageSettings() {
    return new CachingCredentialSource.Settings(
        Duration.ofMinutes(10),
        Duration.ofMillis(300),
        Duration.ofMillis(1500),
        Duration.ZERO,
        Duration.ZERO,
        0);
  }

  private static CachingCredentialSource nodeA;
  private static CachingCredentialSource nodeB;

  @BeforeAll
  static void startPool() {
    members = ClusterTestSupport.start(ClusterTestSupport.loopbackPool(2));
    nodeA =
        new CachingCredentialSource(DATABASE, members.get(0), outageSettings(), Clock.systemUTC());
    nodeB =
        new CachingCredentialSource(DATABASE, members.get(1), outageSettings(), Clock.systemUTC());
  }

  @AfterAll
  static void stopPool() {
    ClusterTestSupport.shutdown(members);
  }

  /** Per user, how often the password was changed (part of the HA1s). */
  private static final Map<String, Integer> passwordChanges = new ConcurrentHashMap<>();

  private static StoredCredentials credentials(String username) {
    int version = passwordChanges.getOrDefault(username, 0);
    return new StoredCredentials(
        username.hashCode(),
        "sip:" + username + "@" + REALM,
        true,
        "md5-" + username + "-" + version,
        "sha-" + username + "-" + version);
  }

  private static String user() {
    return "user" + USERS.incrementAndGet();
  }

  /** A user the database knows, looked up through {@code node} until the pool cache holds it. */
  private static String cachedUser(CachingCredentialSource node) {
    String user = user();
    modes.put(user, Mode.KNOWN);
    await(node.lookup(user, REALM));
    awaitCached(user);
    return user;
  }

  private static void awaitCached(String user) {
    await().atMost(Duration.ofSeconds(5)).until(() -> cached(user));
  }

  private static boolean cached(String username) {
    return poolEntry(username) != null;
  }

  private static @Nullable Object poolEntry(String username) {
    return members.get(1).getMap(PoolCluster.CREDENTIALS_MAP).get(REALM + "\u0000" + username);
  }

  private static long queriesOf(String username) {
    return queries.getOrDefault(username, new AtomicLong()).get();
  }

  /** A node with the local cache on (fresh for 60 s, pool rewritten at most hourly). */
  private static CachingCredentialSource cachingNode(ClusterTestSupport.MutableClock clock) {
    return new CachingCredentialSource(
        DATABASE,
        members.get(0),
        new CachingCredentialSource.Settings(
            Duration.ofMinutes(10),
            Duration.ofMillis(300),
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            Duration.ofHours(1),
            100),
        clock);
  }

  @Test
  void aHealthyDatabaseAnswersAndFillsThePoolCache() {
    String alice = user();
    modes.put(alice, Mode.KNOWN);

    assertThat(await(nodeA.lookup(alice, REALM))).contains(credentials(alice));
    awaitCached(alice);
  }

  @Test
  void anotherMemberAnswersFromTheCacheWhileTheDatabaseIsDown() {
    String alice = cachedUser(nodeA);

    modes.put(alice, Mode.DOWN);

    assertThat(await(nodeB.lookup(alice, REALM))).contains(credentials(alice));
  }

  @Test
  void aDatabaseThatDoesNotAnswerInTimeIsTreatedAsDown() {
    String alice = cachedUser(nodeA);

    modes.put(alice, Mode.HANGING);

    // The database never answers: only the pool cache can (after the 300 ms timeout), so a slow
    // database is not waited for when the pool cache has the user.
    assertThat(await(nodeB.lookup(alice, REALM))).contains(credentials(alice));
  }

  @Test
  void nothingCachedAndNoDatabaseFailsDistinctly() {
    String stranger = user();
    modes.put(stranger, Mode.DOWN);

    assertThatThrownBy(() -> await(nodeA.lookup(stranger, REALM)))
        .isInstanceOf(CredentialsUnavailableException.class);
    modes.put(stranger, Mode.HANGING);
    assertThatThrownBy(() -> await(nodeA.lookup(stranger, REALM)))
        .isInstanceOf(CredentialsUnavailableException.class);
  }

  @Test
  void aUserTheDatabaseNoLongerKnowsIsNotServedFromTheCache() {
    String deleted = cachedUser(nodeA);

    modes.put(deleted, Mode.UNKNOWN);
    assertThat(await(nodeA.lookup(deleted, REALM))).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> !cached(deleted));
    modes.put(deleted, Mode.DOWN);

    assertThatThrownBy(() -> await(nodeB.lookup(deleted, REALM)))
        .isInstanceOf(CredentialsUnavailableException.class);
  }

  @Test
  void aFreshAnswerIsReusedWithoutAskingTheDatabaseAgain() {
    var clock = new ClusterTestSupport.MutableClock(Instant.parse("2026-11-26T07:00:00Z"));
    CachingCredentialSource node = cachingNode(clock);
    String alice = user();
    modes.put(alice, Mode.KNOWN);

    assertThat(await(node.lookup(alice, REALM))).contains(credentials(alice));
    clock.advance(Duration.ofSeconds(59));
    assertThat(await(node.lookup(alice, REALM))).contains(credentials(alice));

    assertThat(queriesOf(alice)).isEqualTo(1);
  }

  @Test
  void aDeletedUserStopsAuthenticatingOnceTheLocalCopyIsStale() {
    var clock = new ClusterTestSupport.MutableClock(Instant.parse("2026-11-26T07:00:00Z"));
    CachingCredentialSource node = cachingNode(clock);
    String deleted = user();
    modes.put(deleted, Mode.KNOWN);
    await(node.lookup(deleted, REALM));

    modes.put(deleted, Mode.UNKNOWN);
    clock.advance(Duration.ofSeconds(61));

    assertThat(await(node.lookup(deleted, REALM))).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> !cached(deleted));
  }

  @Test
  void anUnchangedUserIsNotRewrittenToThePoolCacheOnEveryDatabaseAnswer() {
    var clock = new ClusterTestSupport.MutableClock(Instant.parse("2026-11-26T07:00:00Z"));
    CachingCredentialSource node = cachingNode(clock);
    String alice = cachedUser(node);
    members.get(1).getMap(PoolCluster.CREDENTIALS_MAP).delete(REALM + "\u0000" + alice);

    clock.advance(Duration.ofMinutes(2)); // stale locally: the database is asked again
    await(node.lookup(alice, REALM));
    assertThat(queriesOf(alice)).isEqualTo(2);
    assertThat(cached(alice)).isFalse();

    clock.advance(Duration.ofHours(1)); // the pool entry is due for a refresh
    await(node.lookup(alice, REALM));
    awaitCached(alice);
  }

  @Test
  void aChangedPasswordReachesThePoolCacheAtTheNextDatabaseAnswer() {
    var clock = new ClusterTestSupport.MutableClock(Instant.parse("2026-11-26T07:00:00Z"));
    CachingCredentialSource node = cachingNode(clock);
    String alice = cachedUser(node);

    passwordChanges.put(alice, 1);
    clock.advance(Duration.ofSeconds(61));

    assertThat(await(node.lookup(alice, REALM))).contains(credentials(alice));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                poolEntry(alice) instanceof CachedCredentials c
                    && c.ha1Md5().equals(credentials(alice).ha1Md5()));
  }

  @Test
  void aSlowDatabaseIsWaitedForWhenNothingIsCached() {
    String newcomer = user();
    modes.put(newcomer, Mode.SLOW);

    // 900 ms: beyond the 300 ms after which a cached copy would answer, within the 1.5 s limit.
    assertThat(await(nodeA.lookup(newcomer, REALM))).contains(credentials(newcomer));
  }
}
