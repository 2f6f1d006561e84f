package io.parley.sip.parse;

import static io.parley.sip.message.SipTestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipTestMessages;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipStreamFramerTest {
  private static final SipLimits SMALL = new SipLimits(100, 1000, 20, 200);

  private final RecordingListener rec = new RecordingListener();

  private SipStreamFramer framer(SipLimits limits) {
    return new SipStreamFramer(limits, new SipMessageParser(limits), rec);
  }

  private static void feed(SipStreamFramer f, String s) {
    byte[] b = bytes(s);
    f.feed(b, 0, b.length);
  }

  @Test
  void doubleCrlfIsAPingAndSingleCrlfBeforeAMessageIsSkipped() {
    SipStreamFramer f = framer(SipLimits.defaults());
    feed(f, "\r\n\r\n\r\n\r\n");
    feed(f, "\r\n" + SipTestMessages.MESSAGE);
    assertThat(rec.events).containsExactly("ping", "ping", "message MESSAGE");
  }

  @Test
  void partialMessageIsNotIdleUntilItsBodyArrives() {
    SipStreamFramer f = framer(SipLimits.defaults());
    String m = SipTestMessages.MESSAGE;
    feed(f, m.substring(0, m.length() - 3));
    assertThat(f.isIdleBetweenMessages()).isFalse();
    assertThat(rec.events).isEmpty();
    feed(f, m.substring(m.length() - 3));
    assertThat(f.isIdleBetweenMessages()).isTrue();
    assertThat(rec.events).containsExactly("message MESSAGE");
  }

  @Test
  void idleFramerHoldsNoBufferBeforeBetweenAndAfterSplitMessages() {
    SipStreamFramer f = framer(SipLimits.defaults());
    assertThat(f.bufferedBytes()).isZero();
    String m = SipTestMessages.MESSAGE;
    int inHeaders = m.indexOf("\r\n\r\n") / 2;
    feed(f, m.substring(0, inHeaders));
    assertThat(f.bufferedBytes()).isPositive();
    feed(f, m.substring(inHeaders, m.length() - 3));
    assertThat(f.bufferedBytes()).isEqualTo(bytes(m).length);
    feed(f, m.substring(m.length() - 3));
    assertThat(f.bufferedBytes()).isZero();
    feed(f, m);
    assertThat(f.bufferedBytes()).isZero();
    assertThat(rec.events).containsExactly("message MESSAGE", "message MESSAGE");
    assertThat(rec.messages.get(0).toBytes()).isEqualTo(bytes(m));
    assertThat(rec.messages.get(1).toBytes()).isEqualTo(bytes(m));
  }

  @Test
  void messageSplitAtEveryPositionIsDeliveredIntact() {
    String m = SipTestMessages.MESSAGE;
    byte[] b = bytes(m);
    for (int cut = 1; cut < b.length; cut++) {
      RecordingListener r = new RecordingListener();
      SipStreamFramer f =
          new SipStreamFramer(SipLimits.defaults(), new SipMessageParser(SipLimits.defaults()), r);
      f.feed(b, 0, cut);
      f.feed(b, cut, b.length - cut);
      assertThat(r.messages).as("cut at %d", cut).hasSize(1);
      assertThat(r.messages.get(0).toBytes()).isEqualTo(b);
      assertThat(f.bufferedBytes()).isZero();
    }
  }

  @Test
  void twoMessagesInOneChunkAreBothDelivered() {
    SipStreamFramer f = framer(SipLimits.defaults());
    feed(f, SipTestMessages.INVITE + SipTestMessages.NOTIFY);
    assertThat(rec.events).containsExactly("message INVITE", "message NOTIFY");
    assertThat(rec.messages.get(1).toBytes()).isEqualTo(bytes(SipTestMessages.NOTIFY));
  }

  @Test
  void tooLongStartLineLosesFramingWithoutBufferingIt() {
    SipStreamFramer f = framer(SMALL);
    feed(f, "INVITE sip:" + "a".repeat(150));
    assertThat(rec.events).containsExactly("lost Start Line Too Large");
    assertThat(f.bufferedBytes()).isZero();
    feed(f, SipTestMessages.MESSAGE);
    assertThat(rec.events).hasSize(1);
  }

  @Test
  void tooLargeHeaderBlockLosesFramingAtTheLimit() {
    SipStreamFramer f = framer(SMALL);
    StringBuilder sb = new StringBuilder("OPTIONS sip:a@b SIP/2.0\r\n");
    for (int i = 0; i < 15; i++) sb.append("X-Pad: ").append("p".repeat(80)).append("\r\n");
    byte[] b = bytes(sb.toString());
    for (int i = 0; i < b.length && rec.events.isEmpty(); i++) {
      f.feed(b, i, 1);
      assertThat(f.bufferedBytes()).isLessThanOrEqualTo(SMALL.maxHeaderBlockBytes() + 4);
    }
    assertThat(rec.events).containsExactly("lost Headers Too Large");
  }

  @Test
  void tooManyHeadersLosesFraming() {
    SipStreamFramer f = framer(SMALL);
    feed(f, "OPTIONS sip:a@b SIP/2.0\r\n" + "A: 1\r\n".repeat(21));
    assertThat(rec.events).containsExactly("lost Too Many Headers");
  }

  @Test
  void foldedLinesDoNotCountAsHeaders() {
    SipStreamFramer f = framer(SMALL);
    String m =
        SipTestMessages.MESSAGE.replace("Max-Forwards: 70", "Max-Forwards:" + "\r\n 70".repeat(1));
    feed(f, m.replace("CSeq: 1 MESSAGE", "CSeq: 1\r\n MESSAGE"));
    assertThat(rec.events).containsExactly("message MESSAGE");
  }

  @Test
  void oversizedBodyIsAnswered413AndSkippedAndTheConnectionStaysUsable() {
    SipStreamFramer f = framer(SMALL);
    String body = "x".repeat(500);
    String big =
        SipTestMessages.MESSAGE
            .replace("Content-Length: 18", "Content-Length: 500")
            .replace("Watson, come here.", body);
    byte[] b = bytes(big);
    for (int i = 0; i < b.length; i++) {
      f.feed(b, i, 1);
      assertThat(f.bufferedBytes()).isLessThanOrEqualTo(SMALL.maxHeaderBlockBytes() + 4);
    }
    feed(f, SipTestMessages.MESSAGE);
    assertThat(rec.events)
        .containsExactly("rejected 413 Request Entity Too Large", "message MESSAGE");
    assertThat(new String(rec.rejected.get(0).errorResponse(), StandardCharsets.UTF_8))
        .startsWith("SIP/2.0 413 Request Entity Too Large\r\n");
  }

  @Test
  void missingBadOrMultipleContentLengthOnAStreamLosesFraming() {
    String noCl = SipTestMessages.REGISTER.replace("Content-Length: 0\r\n", "");
    String negative = SipTestMessages.REGISTER.replace("Content-Length: 0", "Content-Length: -1");
    String text = SipTestMessages.REGISTER.replace("Content-Length: 0", "Content-Length: zero");
    String twice =
        SipTestMessages.REGISTER.replace("Content-Length: 0", "l: 0\r\nContent-Length: 0");
    String huge =
        SipTestMessages.REGISTER.replace("Content-Length: 0", "Content-Length: 99999999999999");
    for (String[] c :
        new String[][] {
          {noCl, "lost Missing Content-Length"},
          {negative, "lost Bad Content-Length"},
          {text, "lost Bad Content-Length"},
          {twice, "lost Multiple Content-Length"},
          {huge, "lost Bad Content-Length"}
        }) {
      RecordingListener r = new RecordingListener();
      SipStreamFramer f = new SipStreamFramer(SipLimits.defaults(), new SipMessageParser(), r);
      byte[] b = bytes(c[0] + SipTestMessages.MESSAGE);
      f.feed(b, 0, b.length);
      assertThat(r.events).as(c[1]).containsExactly(c[1]);
    }
  }

  @Test
  void malformedMessageIsRejectedAndTheNextOneStillParses() {
    SipStreamFramer f = framer(SipLimits.defaults());
    feed(f, SipTestMessages.MESSAGE.replace("Call-ID: asd88asd77a@1.2.3.4\r\n", ""));
    feed(f, SipTestMessages.MESSAGE);
    assertThat(rec.events).containsExactly("rejected 400 Missing Call-ID", "message MESSAGE");
  }

  @Test
  void bareLfInHeadersLosesFraming() {
    SipStreamFramer f = framer(SipLimits.defaults());
    feed(f, "OPTIONS sip:a@b SIP/2.0\nVia: x\n\n");
    assertThat(rec.events).containsExactly("lost Bare LF Not Allowed");
  }

  @Test
  void aThrowingListenerDoesNotBreakFraming() {
    RecordingListener inner = new RecordingListener();
    int[] calls = {0};
    SipStreamFramer f =
        new SipStreamFramer(
            SipLimits.defaults(),
            new SipMessageParser(),
            new SipStreamFramer.FramerListener() {
              @Override
              public void onMessage(SipMessage m) {
                inner.onMessage(m);
                if (calls[0]++ == 0) throw new IllegalStateException("listener bug");
              }

              @Override
              public void onKeepAlivePing() {}

              @Override
              public void onRejected(ParseResult.Rejected r) {}

              @Override
              public void onFramingLost(String reason) {
                inner.onFramingLost(reason);
              }
            });
    byte[] b = bytes(SipTestMessages.MESSAGE + SipTestMessages.MESSAGE);
    f.feed(b, 0, b.length);
    assertThat(inner.events).containsExactly("message MESSAGE", "message MESSAGE");
  }
}
