package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.sip.transport.SipTransportOptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The connection-cap flags of {@code parley standalone}, parsed without starting a node. */
class StandaloneConnectionFlagsTest {

  private static StandaloneCommand parse(String... args) {
    StandaloneCommand command = new StandaloneCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void withoutFlagsTheTransportDefaultsApply() {
    StandaloneCommand c = parse();
    assertThat(c.maxConnections).isEqualTo(SipTransportOptions.DEFAULT_MAX_CONNECTIONS);
    assertThat(c.maxConnectionsPerAddress)
        .isEqualTo(SipTransportOptions.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
  }

  @Test
  void bothCapsCanBeSetFromTheCommandLine() {
    StandaloneCommand c =
        parse("--max-connections", "5000", "--max-connections-per-address", "1000");
    assertThat(c.maxConnections).isEqualTo(5000);
    assertThat(c.maxConnectionsPerAddress).isEqualTo(1000);
  }

  @Test
  void theHelpNamesBothFlags() {
    String usage = new CommandLine(new StandaloneCommand()).getUsageMessage();
    assertThat(usage).contains("--max-connections=N", "--max-connections-per-address=N");
  }

  @Test
  void aNonNumericCapIsAUsageError() {
    assertThatThrownBy(() -> parse("--max-connections", "lots"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--max-connections");
  }
}
