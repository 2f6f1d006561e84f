package io.parley.sip.message;

import static io.parley.sip.message.SipTestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipBuilderTest {

  private static SipRequest parse(String s) throws SipParseException {
    byte[] b = bytes(s);
    return (SipRequest) WireFormat.decode(b, 0, b.length, 128, true);
  }

  @Test
  void derivedMessagesUseLongHeaderNamesAndAnExactContentLength() throws Exception {
    SipRequest compact =
        parse(
            "MESSAGE sip:bob@example.test SIP/2.0\r\n"
                + "v: SIP/2.0/tcp 127.0.0.1:49350\r\n"
                + "f: <sip:alice@example.test>;tag=1;epid=cf0b98dadeb9\r\n"
                + "t: <sip:bob@example.test>\r\n"
                + "i: abc\r\n"
                + "CSeq: 3 MESSAGE\r\n"
                + "c: text/plain\r\n"
                + "l: 2\r\n"
                + "\r\n"
                + "hi");
    assertThat(compact.topVia().transport()).isEqualTo("TCP");
    assertThat(compact.topVia().branch()).isNull(); // SIPE in-dialog requests carry none
    String rebuilt =
        new String(
            compact.toBuilder().body("text/plain", bytes("hello")).build().toBytes(),
            StandardCharsets.UTF_8);
    assertThat(rebuilt)
        .contains("\r\nVia: SIP/2.0/tcp 127.0.0.1:49350\r\n")
        .contains("\r\nFrom: <sip:alice@example.test>;tag=1;epid=cf0b98dadeb9\r\n")
        .contains("\r\nContent-Type: text/plain\r\n")
        .contains("\r\nContent-Length: 5\r\n")
        .endsWith("\r\n\r\nhello")
        .doesNotContain("\r\nl:", "\r\nv:", "\r\nc:");
  }

  @Test
  void setReplacesEveryFieldAndRemoveFirstOnlyTheTopOne() throws Exception {
    SipRequest r = parse(SipTestMessages.INVITE);
    SipRequest two =
        r.toBuilder()
            .addFirst(HeaderName.VIA, "SIP/2.0/TLS a.example.test;branch=z9hG4bKa")
            .addFirst(HeaderName.VIA, "SIP/2.0/TLS b.example.test;branch=z9hG4bKb")
            .build();
    assertThat(two.vias())
        .extracting(Via::host)
        .containsExactly("b.example.test", "a.example.test", "pc33.example.test");
    assertThat(two.toBuilder().removeFirst(HeaderName.VIA).build().topVia().host())
        .isEqualTo("a.example.test");
    SipRequest one = two.toBuilder().set(HeaderName.VIA, "SIP/2.0/UDP c.example.test").build();
    assertThat(one.vias()).extracting(Via::host).containsExactly("c.example.test");
    assertThat(one.toBuilder().remove(HeaderName.ROUTE).build().routes()).isEmpty();
  }

  @Test
  void wildcardContactIsReportedWithoutContacts() throws Exception {
    SipRequest r =
        parse(
            SipTestMessages.REGISTER
                .replaceFirst("Contact: [^\r]*", "Contact: *")
                .replace("Expires: 3600", "Expires: 0"));
    assertThat(r.isWildcardContact()).isTrue();
    assertThat(r.contacts()).isEmpty();
    assertThat(r.expires()).isZero();
  }

  @Test
  void builtRequestFromScratchParsesBack() throws Exception {
    SipRequest r =
        SipRequest.builder("OPTIONS", Uri.parse("tel:+1-201-555-0123;phone-context=example.test"))
            .add(HeaderName.VIA, "SIP/2.0/TLS h.example.test;branch=z9hG4bK1")
            .add(
                HeaderName.FROM,
                new NameAddr(
                        "Alice \"A\"",
                        SipUri.parse("sip:alice@example.test"),
                        java.util.Map.of("tag", "x"))
                    .toString())
            .add(HeaderName.TO, "<sip:bob@example.test>")
            .add(HeaderName.CALL_ID, "c1")
            .add(HeaderName.CSEQ, "1 OPTIONS")
            .build();
    assertThat(r.requestUri()).isInstanceOf(TelUri.class);
    assertThat(((TelUri) r.requestUri()).params()).containsEntry("phone-context", "example.test");
    assertThat(r.from().displayName()).isEqualTo("Alice \"A\"");
    assertThat(r.header(HeaderName.CONTENT_LENGTH)).isEqualTo("0");
    assertThat(r.maxForwards()).isEqualTo(-1);
  }

  @Test
  void builderRejectsValuesThatWouldNotParse() {
    assertThatThrownBy(
            () -> SipResponse.builder(200, "OK").add(HeaderName.VIA, "not a via").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Bad Via");
    assertThatThrownBy(() -> SipResponse.builder(99, "no"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void uriToStringEscapesWhatNeedsEscaping() throws Exception {
    SipUri u = SipUri.parse("sip:I%20have%20spaces@example.net;n%61me=v%61lue%25%34%31");
    assertThat(u.user()).isEqualTo("I have spaces");
    assertThat(u.toString()).isEqualTo("sip:I%20have%20spaces@example.net;name=value%2541");
    assertThat(SipUri.parse(u.toString())).isEqualTo(u);
  }
}
