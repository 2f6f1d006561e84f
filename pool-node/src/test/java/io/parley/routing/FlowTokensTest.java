package io.parley.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipUri;
import io.parley.sip.transport.Transport;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class FlowTokensTest {

  private final FlowTokens tokens = new FlowTokens();

  @Test
  void tokenRoundTripsThroughARecordRouteUri() throws Exception {
    Hop hop = new Hop(Transport.TCP, "node-1/tcp-42", "192.0.2.20", 40001);
    SipUri uri = SipUri.parse("sip:" + tokens.encode(hop) + "@192.0.2.1:5060;transport=tcp;lr");

    assertThat(tokens.decode(uri.user())).isEqualTo(hop);
  }

  @Test
  void udpHopHasNoFlowId() {
    Hop hop = new Hop(Transport.UDP, null, "2001:db8::1", 5060);
    assertThat(tokens.decode(tokens.encode(hop))).isEqualTo(hop);
  }

  @Test
  void tokensOfAnotherKeyOrTamperedAreRejected() {
    Hop hop = new Hop(Transport.TCP, "tcp-1", "192.0.2.20", 40001);
    String token = tokens.encode(hop);

    assertThat(new FlowTokens().decode(token)).isNull();
    String tampered =
        token.substring(0, 5) + (token.charAt(5) == 'A' ? 'B' : 'A') + token.substring(6);
    assertThat(tokens.decode(tampered)).isNull();
    assertThat(tokens.decode("bob")).isNull();
    assertThat(tokens.decode("pf.!!!.???")).isNull();
  }

  @Property(tries = 200)
  void arbitraryUserPartsNeverThrow(@ForAll @StringLength(max = 80) String user) {
    assertThat(tokens.decode("pf." + user)).isNull();
  }

  @Property(tries = 100)
  void everyHopRoundTrips(
      @ForAll @IntRange(min = 1, max = 65535) int port,
      @ForAll @StringLength(min = 1, max = 30) String flowSuffix) {
    Hop hop = new Hop(Transport.TLS, "tls-" + flowSuffix.replace('|', '_'), "192.0.2.9", port);
    assertThat(tokens.decode(tokens.encode(hop))).isEqualTo(hop);
  }
}
