package io.parley.cli;

import io.parley.config.ConfigException;
import io.parley.config.NodeConfig;
import io.parley.config.NodeConfigLoader;
import io.parley.db.Database;
import io.parley.db.DatabaseConfig;
import io.parley.pool.PoolNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley node --config FILE}: one member of a pool ("Enterprise Edition"): an external
 * PostgreSQL shared by all members, registrations shared through Hazelcast. SIGTERM drains the
 * member (clients move to the others) before it exits.
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run a pool member configured by a YAML file (see docs/configuration.md).")
final class NodeCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(NodeCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The node's configuration file (YAML).")
  Path configFile;

  @Option(
      names = "--check",
      description = "Only read and validate the configuration, print it, and exit.")
  boolean check;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    NodeConfig config;
    try {
      config = new NodeConfigLoader().load(configFile);
    } catch (ConfigException e) {
      throw new CliErrors.CliException(e.getMessage(), e);
    }
    if (config.database() == null) {
      throw new CliErrors.CliException(
          configFile
              + ": database: a pool member needs the pool's PostgreSQL (database.url); for a single"
              + " node with an embedded database use 'parley standalone'");
    }
    if (check) {
      out.println("parley: configuration OK: " + config);
      out.flush();
      return 0;
    }
    NodeConfig.Database d = config.database();
    out.println(
        "parley: starting pool member "
            + config.pool().nodeId()
            + " of pool '"
            + config.pool().name()
            + "', database "
            + d.url());
    out.flush();
    Database db;
    try {
      db = Database.open(new DatabaseConfig(d.url(), d.user(), d.password(), 16));
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new CliErrors.CliException(
          "cannot open the database " + d.url() + ": " + root.getMessage(), e);
    }
    PoolNode node;
    try {
      node = PoolNode.start(config, db);
    } catch (Exception | Error e) {
      db.close();
      throw e;
    }
    for (String listener : node.listeners()) {
      out.println("parley: listening on " + listener);
    }
    out.println(
        "parley: ready, " + node.members().size() + " member(s) in the pool: " + node.members());
    out.flush();

    Thread hook =
        new Thread(
            () -> {
              if (!node.terminated().isDone()) {
                log.info("SIGTERM: draining before exit");
                node.drain();
              }
              db.close();
            },
            "parley-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // Ends after a drain asked over the admin endpoint ('parley drain'); SIGTERM runs the hook.
    node.terminated().join();
    log.info("drained and stopped; exiting");
    return 0;
  }
}
