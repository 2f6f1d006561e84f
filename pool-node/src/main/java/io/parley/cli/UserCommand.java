package io.parley.cli;

import io.parley.db.Database;
import io.parley.db.user.DuplicateUserException;
import io.parley.db.user.ImportProgress;
import io.parley.db.user.ImportResult;
import io.parley.db.user.UserNames;
import io.parley.model.UserAccount;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code parley user ...}: user administration against a standalone data folder (running or not) or
 * an external PostgreSQL. Passwords are read from standard input, never from the command line,
 * where they would show in {@code ps} and shell history.
 */
@Command(
    name = "user",
    mixinStandardHelpOptions = true,
    description = "Manage users: add, list, passwd, disable, enable, import.",
    subcommands = {
      UserCommand.Add.class,
      UserCommand.ListUsers.class,
      UserCommand.Passwd.class,
      UserCommand.Disable.class,
      UserCommand.Enable.class,
      UserCommand.Import.class
    })
final class UserCommand implements Runnable {

  @Spec CommandSpec spec;

  @Mixin DataOptions data = new DataOptions();

  @Option(
      names = "--domain",
      paramLabel = "DOMAIN",
      description = "SIP domain of the users (default: the node's domain, else example.test).")
  @Nullable String domain;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  <T> T withDatabase(DbWork<T> work) throws Exception {
    try (DataAccess access = DataAccess.open(data, 2)) {
      Database db = access.database();
      String dom =
          domain != null
              ? UserNames.domain(domain)
              : db.settings().getString(DataAccess.DOMAIN_SETTING).orElse("example.test");
      return work.run(db, dom);
    }
  }

  interface DbWork<T> {
    T run(Database db, String domain) throws Exception;
  }

  static String readPassword(CommandSpec spec, String username) throws IOException {
    Console console = System.console();
    if (console != null) {
      char[] first = console.readPassword("Password for %s: ", username);
      char[] second = console.readPassword("Repeat password: ");
      if (first == null || second == null) {
        throw new CliErrors.CliException("no password given");
      }
      if (!Arrays.equals(first, second)) {
        throw new CliErrors.CliException("passwords do not match");
      }
      return validPassword(new String(first));
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null) {
      throw new CliErrors.CliException("no password on standard input");
    }
    return validPassword(line);
  }

  private static String validPassword(String password) {
    if (password.isEmpty()) {
      throw new CliErrors.CliException("the password must not be empty");
    }
    return password;
  }

  static UserAccount find(Database db, String username, String domain) {
    return db.users()
        .findByUsername(UserNames.username(username), domain)
        .orElseThrow(
            () ->
                new CliErrors.CliException(
                    "no such user: " + UserNames.sipUri(UserNames.username(username), domain)));
  }

  @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user.")
  static final class Add implements Callable<Integer> {
    @ParentCommand UserCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "USER", description = "User name (the part before @).")
    String username;

    @Option(names = "--display-name", paramLabel = "NAME", description = "Display name.")
    @Nullable String displayName;

    @Override
    public Integer call() throws Exception {
      String password = readPassword(spec, username);
      return parent.withDatabase(
          (db, domain) -> {
            try {
              UserAccount u = db.users().create(username, domain, displayName, domain, password);
              spec.commandLine().getOut().println("added " + u.sipUri());
              return 0;
            } catch (DuplicateUserException e) {
              throw new CliErrors.CliException(
                  "user already exists: " + UserNames.sipUri(UserNames.username(username), domain));
            }
          });
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List users.")
  static final class ListUsers implements Callable<Integer> {
    @ParentCommand UserCommand parent;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      return parent.withDatabase(
          (db, domain) -> {
            PrintWriter out = spec.commandLine().getOut();
            long after = 0;
            while (true) {
              List<UserAccount> page = db.users().list(after, 1000);
              for (UserAccount u : page) {
                out.printf(
                    "%-40s %-8s %s%n",
                    u.sipUri(),
                    u.enabled() ? "enabled" : "disabled",
                    u.displayName() == null ? "" : u.displayName());
              }
              if (page.size() < 1000) {
                break;
              }
              after = page.get(page.size() - 1).id();
            }
            out.flush();
            return 0;
          });
    }
  }

  @Command(
      name = "passwd",
      mixinStandardHelpOptions = true,
      description = "Set a user's password (read from standard input).")
  static final class Passwd implements Callable<Integer> {
    @ParentCommand UserCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "USER")
    String username;

    @Override
    public Integer call() throws Exception {
      String password = readPassword(spec, username);
      return parent.withDatabase(
          (db, domain) -> {
            UserAccount u = find(db, username, domain);
            db.users().setPassword(u.id(), domain, password);
            spec.commandLine().getOut().println("password changed for " + u.sipUri());
            return 0;
          });
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable a user.")
  static final class Disable implements Callable<Integer> {
    @ParentCommand UserCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "USER")
    String username;

    @Override
    public Integer call() throws Exception {
      return parent.withDatabase(
          (db, domain) -> {
            UserAccount u = find(db, username, domain);
            db.users().setEnabled(u.id(), false);
            spec.commandLine().getOut().println("disabled " + u.sipUri());
            return 0;
          });
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable a user.")
  static final class Enable implements Callable<Integer> {
    @ParentCommand UserCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "USER")
    String username;

    @Override
    public Integer call() throws Exception {
      return parent.withDatabase(
          (db, domain) -> {
            UserAccount u = find(db, username, domain);
            db.users().setEnabled(u.id(), true);
            spec.commandLine().getOut().println("enabled " + u.sipUri());
            return 0;
          });
    }
  }

  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      description =
          "Provision users in bulk from FILE ('-' for standard input), one 'user password' per"
              + " line. Existing users get the new password.")
  static final class Import implements Callable<Integer> {
    @ParentCommand UserCommand parent;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    String file;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      return parent.withDatabase(
          (db, domain) -> {
            long start = System.nanoTime();
            ImportResult result;
            try (Reader in =
                "-".equals(file)
                    ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                    : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
              result =
                  db.importer()
                      .importUsers(
                          in,
                          domain,
                          domain,
                          (ImportProgress p) -> {
                            err.printf(
                                "import: %s %d/%d%n",
                                p.phase().name().toLowerCase(java.util.Locale.ROOT),
                                p.done(),
                                p.total());
                            err.flush();
                          });
            }
            for (ImportResult.Rejected r : result.rejected()) {
              err.printf("import: line %d skipped: %s%n", r.lineNumber(), r.reason());
            }
            out.printf(
                "imported into %s: %d created, %d updated, %d skipped in %.1f s%n",
                domain,
                result.created(),
                result.updated(),
                result.rejected().size(),
                (System.nanoTime() - start) / 1e9);
            out.flush();
            err.flush();
            return result.rejected().isEmpty() ? 0 : 1;
          });
    }
  }
}
