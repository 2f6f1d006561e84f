package io.parley.sip.message;

import static io.parley.sip.message.SipTestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipMessageModelTest {

  private static SipMessage parse(String s) throws SipParseException {
    byte[] b = bytes(s);
    return WireFormat.decode(b, 0, b.length, 128, true);
  }

  @Test
  void registerParsesRoutingHeadersAndRoundTripsBytes() throws Exception {
    SipRequest r = (SipRequest) parse(SipTestMessages.REGISTER);
    assertThat(r.method()).isEqualTo("REGISTER");
    assertThat(r.requestUri().toString()).isEqualTo("sip:example.test");
    assertThat(r.topVia().transport()).isEqualTo("TLS");
    assertThat(r.topVia().port()).isEqualTo(50123);
    assertThat(r.topVia().hasRfc3261Branch()).isTrue();
    assertThat(r.topVia().hasRport()).isTrue();
    assertThat(r.topVia().rport()).isNull();
    assertThat(r.from().displayName()).isEqualTo("Alice Smith");
    assertThat(r.from().tag()).isEqualTo("1928301774");
    assertThat(r.to().tag()).isNull();
    assertThat(r.callId()).isEqualTo("a84b4c76e66710@pc33.example.test");
    assertThat(r.cseq()).isEqualTo(new CSeq(314159, "REGISTER"));
    assertThat(r.maxForwards()).isEqualTo(70);
    assertThat(r.expires()).isEqualTo(3600);
    assertThat(r.contacts()).hasSize(1);
    assertThat(r.contacts().get(0).param("expires")).isEqualTo("3600");
    assertThat(((SipUri) r.contacts().get(0).uri()).transport()).isEqualTo("tls");
    assertThat(r.headerValues(HeaderName.SUPPORTED)).containsExactly("gruu", "path", "outbound");
    assertThat(r.headerValues(HeaderName.AUTHORIZATION)).hasSize(1);
    assertThat(r.toBytes()).isEqualTo(bytes(SipTestMessages.REGISTER));
  }

  @Test
  void headerNamesAreCaseInsensitiveAndCompactFormsResolve() {
    assertThat(HeaderName.of("v")).isSameAs(HeaderName.VIA);
    assertThat(HeaderName.of("CALL-id")).isSameAs(HeaderName.CALL_ID);
    assertThat(HeaderName.of("i")).isSameAs(HeaderName.CALL_ID);
    assertThat(HeaderName.of("X-Foo")).isEqualTo(HeaderName.of("x-foo"));
    assertThat(HeaderName.of("X-Foo").display()).isEqualTo("X-Foo");
    assertThat(HeaderName.of("k")).isSameAs(HeaderName.SUPPORTED);
  }

  @Test
  void foldedHeadersAreUnfoldedToOneSpace() throws Exception {
    SipMessage m =
        parse(
            SipTestMessages.REGISTER
                .replace("Subject-Placeholder", "")
                .replace("User-Agent: Parley-Test/1.0", "User-Agent: Parley-Test/1.0\r\n   more"));
    assertThat(m.header(HeaderName.USER_AGENT)).isEqualTo("Parley-Test/1.0 more (Windows NT 10.0)");
  }

  @Test
  void builderDerivesResponseWithToTagAndExactContentLength() throws Exception {
    SipRequest r = (SipRequest) parse(SipTestMessages.MESSAGE);
    SipResponse resp =
        SipResponse.forRequest(r, 200, "OK").toTag("abc").body("text/plain", bytes("hi")).build();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.to().tag()).isEqualTo("abc");
    assertThat(resp.cseq()).isEqualTo(r.cseq());
    assertThat(resp.vias()).isEqualTo(r.vias());
    assertThat(resp.header(HeaderName.CONTENT_LENGTH)).isEqualTo("2");
    assertThat(new String(resp.body(), StandardCharsets.UTF_8)).isEqualTo("hi");
  }

  @Test
  void builderAddsViaOnTopAndReplacesHeaders() throws Exception {
    SipRequest r = (SipRequest) parse(SipTestMessages.INVITE);
    SipRequest fwd =
        r.toBuilder()
            .addFirst(HeaderName.VIA, "SIP/2.0/TLS proxy.example.test;branch=z9hG4bKnew")
            .set(HeaderName.MAX_FORWARDS, "69")
            .removeFirst(HeaderName.ROUTE)
            .build();
    assertThat(fwd.vias()).hasSize(2);
    assertThat(fwd.topVia().host()).isEqualTo("proxy.example.test");
    assertThat(fwd.maxForwards()).isEqualTo(69);
    assertThat(fwd.routes()).isEmpty();
    assertThat(fwd.body()).isEqualTo(r.body());
    assertThat(fwd.toBuilder().build().toBytes()).isEqualTo(fwd.toBytes());
  }

  @Test
  void builderRefusesHeaderInjection() {
    assertThatThrownBy(
            () -> SipResponse.builder(200, "OK").add(HeaderName.SUBJECT, "x\r\nVia: evil"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sipUriDecodesEscapesOnceAndKeepsNulDistinct() throws Exception {
    SipUri u = SipUri.parse("sip:%25%34%31@example.test");
    assertThat(u.user()).isEqualTo("%41");
    SipUri nul = SipUri.parse("sip:%00@host5.example.com");
    SipUri two = SipUri.parse("sip:%00%00@host5.example.com");
    assertThat(nul.user()).isEqualTo("\0");
    assertThat(nul).isNotEqualTo(two);
    assertThat(nul.toString()).isEqualTo("sip:%00@host5.example.com");
    assertThat(SipUri.parse("sip:Alice@Example.TEST:5061;transport=tls").aor())
        .isEqualTo("sip:Alice@example.test");
  }

  @Test
  void ipv6HostsKeepBracketsAndAmbiguousPortStaysInHost() throws Exception {
    SipUri amb = SipUri.parse("sip:[2001:db8::10:5070]");
    assertThat(amb.host()).isEqualTo("[2001:db8::10:5070]");
    assertThat(amb.port()).isEqualTo(-1);
    SipUri ok = SipUri.parse("sip:[2001:db8::10]:5070");
    assertThat(ok.host()).isEqualTo("[2001:db8::10]");
    assertThat(ok.port()).isEqualTo(5070);
    assertThatThrownBy(() -> SipUri.parse("sip:2001:db8::10"))
        .isInstanceOf(SipParseException.class);
  }

  @Test
  void addrSpecParamsBelongToHeaderAndNameAddrParamsToUri() throws Exception {
    NameAddr spec = NameAddr.parse("sip:+19725552222@gw1.example.net;unknownparam");
    assertThat(spec.params()).containsKey("unknownparam");
    assertThat(((SipUri) spec.uri()).params()).isEmpty();
    NameAddr inUri = NameAddr.parse("<sip:+19725552222@gw1.example.net;unknownparam>");
    assertThat(inUri.params()).isEmpty();
    assertThat(((SipUri) inUri.uri()).params()).containsKey("unknownparam");
  }

  @Test
  void viaAcceptsLwsAndIpv6Received() throws Exception {
    Via v = Via.parse("SIP  /   2.0 / udp  [2001:db8::9:1]:5070 ;received=2001:db8::9:255;rport=5");
    assertThat(v.transport()).isEqualTo("UDP");
    assertThat(v.host()).isEqualTo("[2001:db8::9:1]");
    assertThat(v.port()).isEqualTo(5070);
    assertThat(v.received()).isEqualTo("2001:db8::9:255");
    assertThat(v.rport()).isEqualTo(5);
    assertThat(Via.parse(v.withReceived("192.0.2.1").toString()).received()).isEqualTo("192.0.2.1");
  }
}
