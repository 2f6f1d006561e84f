package io.parley.db;

import java.util.Objects;

/**
 * How to reach PostgreSQL.
 *
 * @param jdbcUrl e.g. {@code jdbc:postgresql://db.example.com:5432/parley}
 * @param user database role
 * @param password password of that role (may be empty for trust authentication)
 * @param poolSize maximum number of pooled connections (at least 1)
 */
public record DatabaseConfig(String jdbcUrl, String user, String password, int poolSize) {

  public DatabaseConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("jdbcUrl must be a jdbc:postgresql: URL: " + jdbcUrl);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
    }
  }

  /** Keeps the password out of logs. */
  @Override
  public String toString() {
    return "DatabaseConfig[jdbcUrl=" + jdbcUrl + ", user=" + user + ", poolSize=" + poolSize + "]";
  }
}
