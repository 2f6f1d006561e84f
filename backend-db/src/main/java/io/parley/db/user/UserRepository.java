package io.parley.db.user;

import static io.parley.db.generated.Tables.CREDENTIALS;
import static io.parley.db.generated.Tables.USERS;

import io.parley.db.PgText;
import io.parley.db.generated.tables.records.UsersRecord;
import io.parley.model.UserAccount;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;
import org.jspecify.annotations.Nullable;

/**
 * Users and their credentials.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop. Usernames
 * and domains are normalised to lower case (see {@link UserNames}); passwords are never stored,
 * only the hashes of {@link DigestHa1}.
 */
public final class UserRepository {

  private final DSLContext dsl;

  public UserRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /**
   * Creates a user and its credentials for {@code realm}, in one transaction.
   *
   * @throws DuplicateUserException if {@code username@domain} exists already
   * @throws IllegalArgumentException if the username or domain is invalid, or the password empty
   */
  public UserAccount create(
      String username, String domain, @Nullable String displayName, String realm, String password) {
    String user = UserNames.username(username);
    String dom = UserNames.domain(domain);
    requirePassword(password);
    String sipUri = UserNames.sipUri(user, dom);
    try {
      return dsl.transactionResult(
          cfg -> {
            DSLContext tx = cfg.dsl();
            UsersRecord row =
                tx.insertInto(USERS)
                    .set(USERS.USERNAME, user)
                    .set(USERS.DOMAIN, dom)
                    .set(USERS.SIP_URI, sipUri)
                    .set(USERS.DISPLAY_NAME, displayName)
                    .returning()
                    .fetchSingle();
            insertCredentials(tx, row.getId(), user, realm, password);
            return toAccount(row);
          });
    } catch (IntegrityConstraintViolationException e) {
      throw new DuplicateUserException(sipUri, e);
    }
  }

  /** The user {@code username@domain} (case-insensitive), if provisioned. */
  public Optional<UserAccount> findByUsername(String username, String domain) {
    if (!PgText.storable(username, domain)) {
      return Optional.empty();
    }
    return dsl.selectFrom(USERS)
        .where(USERS.USERNAME.eq(username.toLowerCase(Locale.ROOT)))
        .and(USERS.DOMAIN.eq(domain.toLowerCase(Locale.ROOT)))
        .fetchOptional()
        .map(UserRepository::toAccount);
  }

  /** The user whose canonical address of record is {@code sipUri} (case-insensitive). */
  public Optional<UserAccount> findBySipUri(String sipUri) {
    if (!PgText.storable(sipUri)) {
      return Optional.empty();
    }
    return dsl.selectFrom(USERS)
        .where(USERS.SIP_URI.eq(sipUri.toLowerCase(Locale.ROOT)))
        .fetchOptional()
        .map(UserRepository::toAccount);
  }

  /** The user with this id, if any. */
  public Optional<UserAccount> findById(long userId) {
    return dsl.selectFrom(USERS)
        .where(USERS.ID.eq(userId))
        .fetchOptional()
        .map(UserRepository::toAccount);
  }

  /**
   * One page of users in id order (keyset paging, stable while users are added).
   *
   * @param afterId 0 for the first page, then the id of the last user of the previous page
   * @param limit page size, 1 to 10,000
   */
  public List<UserAccount> list(long afterId, int limit) {
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("limit must be 1..10000: " + limit);
    }
    return dsl.selectFrom(USERS)
        .where(USERS.ID.gt(afterId))
        .orderBy(USERS.ID)
        .limit(limit)
        .fetch(UserRepository::toAccount);
  }

  /** The number of provisioned users. */
  public long count() {
    return dsl.fetchCount(USERS);
  }

  /**
   * Enables or disables a user. A disabled user keeps its credentials but cannot authenticate.
   *
   * @return false if there is no such user
   */
  public boolean setEnabled(long userId, boolean enabled) {
    return dsl.update(USERS)
            .set(USERS.ENABLED, enabled)
            .set(USERS.UPDATED_AT, DSL.currentOffsetDateTime())
            .where(USERS.ID.eq(userId))
            .execute()
        == 1;
  }

  /**
   * Replaces all credentials of a user (in every realm) by the hashes of {@code password} in {@code
   * realm}.
   *
   * @return false if there is no such user
   */
  public boolean setPassword(long userId, String realm, String password) {
    requirePassword(password);
    return dsl.transactionResult(
        cfg -> {
          DSLContext tx = cfg.dsl();
          // Lock the user row so that concurrent password changes apply one after the other.
          UsersRecord row = tx.selectFrom(USERS).where(USERS.ID.eq(userId)).forUpdate().fetchOne();
          if (row == null) {
            return false;
          }
          tx.deleteFrom(CREDENTIALS).where(CREDENTIALS.USER_ID.eq(userId)).execute();
          insertCredentials(tx, userId, row.getUsername(), realm, password);
          tx.update(USERS)
              .set(USERS.UPDATED_AT, DSL.currentOffsetDateTime())
              .where(USERS.ID.eq(userId))
              .execute();
          return true;
        });
  }

  /**
   * Deletes a user and its credentials.
   *
   * @return false if there is no such user
   */
  public boolean delete(long userId) {
    return dsl.deleteFrom(USERS).where(USERS.ID.eq(userId)).execute() == 1;
  }

  private static void insertCredentials(
      DSLContext tx, long userId, String username, String realm, String password) {
    tx.insertInto(CREDENTIALS)
        .set(CREDENTIALS.USER_ID, userId)
        .set(CREDENTIALS.REALM, realm)
        .set(CREDENTIALS.HA1_MD5, DigestHa1.md5(username, realm, password))
        .set(CREDENTIALS.HA1_SHA256, DigestHa1.sha256(username, realm, password))
        .set(CREDENTIALS.NT_HASH, DigestHa1.ntHash(password))
        .execute();
  }

  private static void requirePassword(String password) {
    if (password.isEmpty()) {
      throw new IllegalArgumentException("empty password");
    }
  }

  static UserAccount toAccount(UsersRecord r) {
    return new UserAccount(
        r.getId(),
        r.getUsername(),
        r.getDomain(),
        r.getSipUri(),
        r.getDisplayName(),
        r.getEnabled(),
        r.getCreatedAt().toInstant(),
        r.getUpdatedAt().toInstant());
  }
}
