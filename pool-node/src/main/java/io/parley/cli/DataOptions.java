package io.parley.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Where Parley's data lives: a standalone data folder, or an external PostgreSQL. */
final class DataOptions {

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Data folder of a standalone node (default: ${DEFAULT-VALUE}).",
      defaultValue = "./parley-data")
  Path dataDir = Path.of("./parley-data");

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "Use an external PostgreSQL instead of the data folder (pool deployments).")
  @Nullable String jdbcUrl;

  @Option(names = "--db-user", paramLabel = "USER", description = "PostgreSQL user.")
  @Nullable String dbUser;

  @Option(
      names = "--db-password-env",
      paramLabel = "VAR",
      description = "Environment variable holding the PostgreSQL password (never on argv).",
      defaultValue = "PARLEY_DB_PASSWORD")
  String dbPasswordEnv = "PARLEY_DB_PASSWORD";
}
