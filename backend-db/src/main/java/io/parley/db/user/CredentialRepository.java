package io.parley.db.user;

import static io.parley.db.generated.Tables.CREDENTIALS;
import static io.parley.db.generated.Tables.USERS;

import io.parley.model.StoredCredentials;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read side of credentials, for the digest authenticator.
 *
 * <p><b>Blocking JDBC:</b> call only from worker threads, never from a Vert.x event loop.
 */
public final class CredentialRepository {

  private static final Logger log = LoggerFactory.getLogger(CredentialRepository.class);

  private final DSLContext dsl;

  public CredentialRepository(DSLContext dsl) {
    this.dsl = dsl;
  }

  /**
   * The credentials of {@code username} (case-insensitive) in {@code realm}. Disabled users are
   * returned with {@code enabled=false} so that the caller can answer 403 rather than 401.
   *
   * <p>If the same username exists in two domains that share this realm, the lookup is ambiguous
   * and returns empty (logged): guessing would authenticate the wrong account. Use {@link
   * #lookup(String, String, String)} when the domain is known.
   */
  public Optional<StoredCredentials> lookup(String username, String realm) {
    return single(
        USERS.USERNAME.eq(username.toLowerCase(Locale.ROOT)).and(CREDENTIALS.REALM.eq(realm)),
        username,
        realm);
  }

  /** The credentials of {@code username@domain} (case-insensitive) in {@code realm}. */
  public Optional<StoredCredentials> lookup(String username, String domain, String realm) {
    return single(
        USERS
            .USERNAME
            .eq(username.toLowerCase(Locale.ROOT))
            .and(USERS.DOMAIN.eq(domain.toLowerCase(Locale.ROOT)))
            .and(CREDENTIALS.REALM.eq(realm)),
        username,
        realm);
  }

  private Optional<StoredCredentials> single(Condition where, String username, String realm) {
    List<StoredCredentials> rows =
        dsl.select(
                USERS.ID, USERS.SIP_URI, USERS.ENABLED, CREDENTIALS.HA1_MD5, CREDENTIALS.HA1_SHA256)
            .from(USERS)
            .join(CREDENTIALS)
            .on(CREDENTIALS.USER_ID.eq(USERS.ID))
            .where(where)
            .limit(2)
            .fetch(
                r ->
                    new StoredCredentials(
                        r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    if (rows.size() > 1) {
      log.warn(
          "username {} is ambiguous in realm {}: refusing the lookup",
          username.replaceAll("\\p{Cntrl}", "?"),
          realm.replaceAll("\\p{Cntrl}", "?"));
      return Optional.empty();
    }
    return rows.stream().findFirst();
  }
}
