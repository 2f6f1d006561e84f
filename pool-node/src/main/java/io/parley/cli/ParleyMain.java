package io.parley.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code parley} command. */
@Command(
    name = "parley",
    mixinStandardHelpOptions = true,
    versionProvider = ParleyMain.Version.class,
    description = "Parley: enterprise instant messaging and presence over SIP/SIMPLE.",
    subcommands = {
      StandaloneCommand.class,
      NodeCommand.class,
      DrainCommand.class,
      PoolDemoCommand.class,
      UserCommand.class,
      CommandLine.HelpCommand.class
    })
public final class ParleyMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the process exit code (0 ok, 1 runtime failure, 2 usage). */
  static int run(String... args) {
    CommandLine cl = new CommandLine(new ParleyMain());
    // A bad flag gives one line and a hint, not a wall of usage text.
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println(
              "parley: "
                  + ex.getMessage()
                  + " (try '"
                  + ex.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help')");
          err.flush();
          return 2;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parseResult) -> {
          PrintWriter err = c.getErr();
          err.println("parley: " + CliErrors.describe(ex));
          err.flush();
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ParleyMain.class.getPackage().getImplementationVersion();
      return new String[] {"parley " + (v == null ? "development" : v)};
    }
  }
}
