package io.parley.sip.parse;

import static io.parley.sip.message.SipTestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipTestMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SipMessageParserTest {
  private final SipMessageParser parser = new SipMessageParser();

  private ParseResult datagram(String s) {
    byte[] b = bytes(s);
    return parser.parseDatagram(b, 0, b.length);
  }

  @Test
  void datagramParsesAndKeepsOriginalBytes() {
    ParseResult r = datagram(SipTestMessages.INVITE);
    assertThat(r).isInstanceOf(ParseResult.Parsed.class);
    SipMessage m = ((ParseResult.Parsed) r).message();
    assertThat(((SipRequest) m).isMethod("INVITE")).isTrue();
    assertThat(m.toBytes()).isEqualTo(bytes(SipTestMessages.INVITE));
  }

  @Test
  void badCSeqIsAnsweredWith400NamingTheFault() {
    ParseResult r = datagram(SipTestMessages.MESSAGE.replace("CSeq: 1 MESSAGE", "CSeq: x MESSAGE"));
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    ParseResult.Rejected rej = (ParseResult.Rejected) r;
    assertThat(rej.statusCode()).isEqualTo(400);
    assertThat(rej.reason()).isEqualTo("Bad CSeq");
    String resp = new String(rej.errorResponse(), StandardCharsets.UTF_8);
    assertThat(resp).startsWith("SIP/2.0 400 Bad CSeq\r\n");
    assertThat(resp).contains("Via: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bK776asdhdx\r\n");
    assertThat(resp).contains("Call-ID: asd88asd77a@1.2.3.4\r\n");
    assertThat(resp).containsPattern("To: <sip:bob@example.test>;tag=\\w+\r\n");
  }

  @Test
  void streamFramerDeliversMessagesSplitByteByByte() {
    List<SipMessage> got = new ArrayList<>();
    List<String> events = new ArrayList<>();
    SipStreamFramer f =
        new SipStreamFramer(
            SipLimits.defaults(),
            parser,
            new SipStreamFramer.FramerListener() {
              @Override
              public void onMessage(SipMessage m) {
                got.add(m);
              }

              @Override
              public void onKeepAlivePing() {
                events.add("ping");
              }

              @Override
              public void onRejected(ParseResult.Rejected r) {
                events.add("rejected " + r.statusCode());
              }

              @Override
              public void onFramingLost(String reason) {
                events.add("lost " + reason);
              }
            });
    byte[] b = bytes("\r\n\r\n" + SipTestMessages.MESSAGE + "\r\n" + SipTestMessages.INVITE);
    for (int i = 0; i < b.length; i++) {
      f.feed(b, i, 1);
    }
    assertThat(events).containsExactly("ping");
    assertThat(got).hasSize(2);
    assertThat(got.get(1).toBytes()).isEqualTo(bytes(SipTestMessages.INVITE));
    assertThat(f.isIdleBetweenMessages()).isTrue();
  }
}
