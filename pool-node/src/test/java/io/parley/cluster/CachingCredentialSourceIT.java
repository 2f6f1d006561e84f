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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
    HANGING
  }

  private static final CredentialSource DATABASE =
      (username, realm) ->
          switch (modes.getOrDefault(username, Mode.UNKNOWN)) {
            case KNOWN -> Future.succeededFuture(Optional.of(credentials(username)));
            case UNKNOWN -> Future.succeededFuture(Optional.empty());
            case DOWN -> Future.failedFuture(new IllegalStateException("connection refused"));
            case HANGING -> Promise.<Optional<StoredCredentials>>promise().future();
          };

  private static CachingCredentialSource nodeA;
  private static CachingCredentialSource nodeB;

  @BeforeAll
  static void startPool() {
    members = ClusterTestSupport.start(ClusterTestSupport.loopbackPool(2));
    nodeA =
        new CachingCredentialSource(
            DATABASE, members.get(0), Duration.ofMinutes(10), Duration.ofMillis(300));
    nodeB =
        new CachingCredentialSource(
            DATABASE, members.get(1), Duration.ofMinutes(10), Duration.ofMillis(300));
  }

  @AfterAll
  static void stopPool() {
    ClusterTestSupport.shutdown(members);
  }

  private static StoredCredentials credentials(String username) {
    return new StoredCredentials(
        username.hashCode(),
        "sip:" + username + "@" + REALM,
        true,
        "md5-" + username,
        "sha-" + username);
  }

  private static String user() {
    return "user" + USERS.incrementAndGet();
  }

  private static boolean cached(String username) {
    return members
        .get(1)
        .getMap(PoolCluster.CREDENTIALS_MAP)
        .containsKey(REALM + "\u0000" + username);
  }

  @Test
  void aHealthyDatabaseAnswersAndFillsThePoolCache() {
    String alice = user();
    modes.put(alice, Mode.KNOWN);

    assertThat(await(nodeA.lookup(alice, REALM))).contains(credentials(alice));
    await().atMost(Duration.ofSeconds(5)).until(() -> cached(alice));
  }

  @Test
  void anotherMemberAnswersFromTheCacheWhileTheDatabaseIsDown() {
    String alice = user();
    modes.put(alice, Mode.KNOWN);
    await(nodeA.lookup(alice, REALM));
    await().atMost(Duration.ofSeconds(5)).until(() -> cached(alice));

    modes.put(alice, Mode.DOWN);

    assertThat(await(nodeB.lookup(alice, REALM))).contains(credentials(alice));
  }

  @Test
  void aDatabaseThatDoesNotAnswerInTimeIsTreatedAsDown() {
    String alice = user();
    modes.put(alice, Mode.KNOWN);
    await(nodeA.lookup(alice, REALM));
    await().atMost(Duration.ofSeconds(5)).until(() -> cached(alice));

    modes.put(alice, Mode.HANGING);

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
    String deleted = user();
    modes.put(deleted, Mode.KNOWN);
    await(nodeA.lookup(deleted, REALM));
    await().atMost(Duration.ofSeconds(5)).until(() -> cached(deleted));

    modes.put(deleted, Mode.UNKNOWN);
    assertThat(await(nodeA.lookup(deleted, REALM))).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> !cached(deleted));
    modes.put(deleted, Mode.DOWN);

    assertThatThrownBy(() -> await(nodeB.lookup(deleted, REALM)))
        .isInstanceOf(CredentialsUnavailableException.class);
  }
}
