package io.parley.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionCapTest {

  @Test
  void theConfiguredCapHoldsWhenTheProcessMayOpenEnoughFiles() {
    assertThat(SipTransportLayer.effectiveMaxConnections(19_000, 20_000)).isEqualTo(19_000);
    assertThat(SipTransportLayer.effectiveMaxConnections(19_000, 1_048_576)).isEqualTo(19_000);
  }

  @Test
  void aLowOpenFileLimitLowersTheCapAndKeepsHeadroomForTheNodesOwnFiles() {
    assertThat(SipTransportLayer.effectiveMaxConnections(19_000, 4_096)).isEqualTo(3_096);
    assertThat(SipTransportLayer.effectiveMaxConnections(19_000, 1_024)).isEqualTo(24);
    assertThat(SipTransportLayer.effectiveMaxConnections(19_000, 500)).isEqualTo(1);
  }

  @Test
  void anUnknownLimitLeavesTheConfiguredCap() {
    assertThat(SipTransportLayer.effectiveMaxConnections(19_000, -1)).isEqualTo(19_000);
  }
}
