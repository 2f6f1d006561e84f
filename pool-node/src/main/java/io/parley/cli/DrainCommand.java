package io.parley.cli;

import io.parley.config.ConfigException;
import io.parley.config.NodeConfig;
import io.parley.config.NodeConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parley drain}: asks a running pool member (on this machine) to drain: it stops taking new
 * clients, moves its clients to the other members over the grace period, and exits. Equivalent to
 * sending it SIGTERM.
 */
@Command(
    name = "drain",
    mixinStandardHelpOptions = true,
    description =
        "Drain a running pool member on this machine: move its clients away, then stop it.")
final class DrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The member's configuration file (its admin port is read from it).")
  @Nullable Path configFile;

  @Option(
      names = "--admin-port",
      paramLabel = "PORT",
      description = "The member's admin port, instead of --config.")
  int adminPort = -1;

  @Override
  public Integer call() throws Exception {
    int port = adminPort;
    String node = "the member";
    if (configFile != null) {
      try {
        NodeConfig c = new NodeConfigLoader().load(configFile);
        port = c.admin().port();
        node = c.pool().nodeId();
      } catch (ConfigException e) {
        throw new CliErrors.CliException(e.getMessage(), e);
      }
    }
    if (port <= 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "give --config FILE or --admin-port PORT (a member with admin.port -1 drains on SIGTERM)");
    }
    // The drain endpoint answers only loopback peers: this runs on the member's machine.
    URI uri = URI.create("http://127.0.0.1:" + port + "/admin/drain");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response;
    try {
      response =
          http.send(
              HttpRequest.newBuilder(uri)
                  .timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new CliErrors.CliException(
          "no Parley member answers on 127.0.0.1:" + port + " (is it running?)", e);
    } catch (IOException e) {
      throw new CliErrors.CliException("drain request to " + uri + " failed: " + e.getMessage(), e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new CliErrors.CliException(
          "the member refused to drain: HTTP " + response.statusCode() + " " + response.body());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("parley: " + node + " is draining; it exits when its clients have moved");
    out.flush();
    return 0;
  }
}
