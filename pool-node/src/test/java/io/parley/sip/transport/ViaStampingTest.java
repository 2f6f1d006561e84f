package io.parley.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.Via;
import io.parley.testing.SipMessages;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ViaStampingTest {

  private static final Flow FROM_NAT =
      new Flow(
          "udp-203.0.113.9:40001",
          Transport.UDP,
          new InetSocketAddress("203.0.113.9", 40001),
          new InetSocketAddress("192.0.2.1", 5060));

  private static SipRequest withVias(String vias) {
    return SipMessages.request(
        "OPTIONS sip:server@192.0.2.1 SIP/2.0\n"
            + vias
            + "From: <sip:alice@example.test>;tag=a\n"
            + "To: <sip:server@example.test>\n"
            + "Call-ID: v1\n"
            + "CSeq: 1 OPTIONS\n"
            + "Content-Length: 0\n\n");
  }

  @Test
  void addsReceivedWhenTheViaHostIsNotTheSourceAddress() {
    SipRequest r = withVias("Via: SIP/2.0/tcp 10.0.0.5:50123\n");
    Via top = SipTransportLayer.stampVia(r, FROM_NAT).topVia();
    assertThat(top.received()).isEqualTo("203.0.113.9");
    assertThat(top.hasRport()).isFalse();
  }

  @Test
  void fillsAnEmptyRportWithTheSourcePort() {
    SipRequest r = withVias("Via: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK-1;rport\n");
    Via top = SipTransportLayer.stampVia(r, FROM_NAT).topVia();
    assertThat(top.rport()).isEqualTo(40001);
    assertThat(top.received()).isEqualTo("203.0.113.9");
  }

  @Test
  void leavesAMatchingViaUntouched() {
    SipRequest r = withVias("Via: SIP/2.0/UDP 203.0.113.9:40001;branch=z9hG4bK-1\n");
    assertThat(SipTransportLayer.stampVia(r, FROM_NAT)).isSameAs(r);
  }

  @Test
  void keepsTheRestOfACombinedViaHeaderInOrder() {
    SipRequest r =
        withVias(
            "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-a, SIP/2.0/UDP proxy.example.test;branch=z9hG4bK-b\n"
                + "Via: SIP/2.0/TCP last.example.test;branch=z9hG4bK-c\n");
    SipRequest stamped = SipTransportLayer.stampVia(r, FROM_NAT);
    assertThat(stamped.vias())
        .extracting(Via::branch)
        .containsExactly("z9hG4bK-a", "z9hG4bK-b", "z9hG4bK-c");
    assertThat(stamped.topVia().received()).isEqualTo("203.0.113.9");
    SipResponse response = SipResponse.forRequest(stamped, 200, "OK").build();
    assertThat(ViaHeaders.popTop(response).vias())
        .extracting(Via::branch)
        .containsExactly("z9hG4bK-b", "z9hG4bK-c");
  }
}
