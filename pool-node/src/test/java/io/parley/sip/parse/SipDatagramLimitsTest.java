package io.parley.sip.parse;

import static io.parley.sip.message.SipTestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipTestMessages;
import org.junit.jupiter.api.Test;

class SipDatagramLimitsTest {
  private static final SipLimits SMALL = new SipLimits(100, 1000, 20, 200);
  private final SipMessageParser parser = new SipMessageParser(SMALL);

  private ParseResult.Rejected rejected(String s) {
    byte[] b = bytes(s);
    ParseResult r = parser.parseDatagram(b, 0, b.length);
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    return (ParseResult.Rejected) r;
  }

  @Test
  void everyLimitHasItsOwnStatusAndReason() {
    assertThat(rejected("OPTIONS sip:" + "a".repeat(200) + "@b SIP/2.0\r\n\r\n").reason())
        .isEqualTo("Start Line Too Large");
    String many = SipTestMessages.MESSAGE.replace("Max-Forwards: 70\r\n", "A: 1\r\n".repeat(21));
    ParseResult.Rejected r = rejected(many);
    assertThat(r.statusCode()).isEqualTo(513);
    assertThat(r.reason()).isEqualTo("Too Many Headers");
    assertThat(r.errorResponse()).isNotNull();
    String big =
        SipTestMessages.MESSAGE.replace("Max-Forwards: 70\r\n", "X: " + "p".repeat(1000) + "\r\n");
    assertThat(rejected(big).statusCode()).isEqualTo(513);
    String body =
        SipTestMessages.MESSAGE
            .replace("Content-Length: 18", "Content-Length: 300")
            .replace("Watson, come here.", "x".repeat(300));
    assertThat(rejected(body).statusCode()).isEqualTo(413);
    String bodyNoCl =
        SipTestMessages.MESSAGE
            .replace("Content-Length: 18\r\n", "")
            .replace("Watson, come here.", "x".repeat(300));
    assertThat(rejected(bodyNoCl).statusCode()).isEqualTo(413);
  }

  @Test
  void contentLengthBeyondDatagramIs400AndTrailingBytesAreIgnored() {
    assertThat(
            rejected(SipTestMessages.MESSAGE.replace("Content-Length: 18", "Content-Length: 19"))
                .reason())
        .isEqualTo("Bad Content-Length");
    byte[] b = bytes(SipTestMessages.MESSAGE + "garbage after the body");
    ParseResult r = parser.parseDatagram(b, 0, b.length);
    assertThat(((ParseResult.Parsed) r).message().toBytes())
        .isEqualTo(bytes(SipTestMessages.MESSAGE));
  }

  @Test
  void malformedResponsesAndAcksAreNeverAnswered() {
    assertThat(
            rejected("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n")
                .errorResponse())
        .isNull();
    String ack =
        SipTestMessages.MESSAGE.replace("MESSAGE", "ACK").replace("CSeq: 1 ACK", "CSeq: x ACK");
    ParseResult.Rejected r = rejected(ack);
    assertThat(r.reason()).isEqualTo("Bad CSeq");
    assertThat(r.errorResponse()).isNull();
  }

  @Test
  void emptyOrKeepAliveDatagramIsRejectedSilently() {
    assertThat(rejected("\r\n\r\n").errorResponse()).isNull();
  }

  @Test
  void parseOfAFramedMessageRequiresExactContentLength() {
    SipMessageParser p = new SipMessageParser();
    assertThat(p.parse(bytes(SipTestMessages.MESSAGE))).isInstanceOf(ParseResult.Parsed.class);
    assertThat(p.parse(bytes(SipTestMessages.MESSAGE + "x")))
        .isInstanceOf(ParseResult.Rejected.class);
  }
}
