package io.parley.sip.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.parley.sip.message.SipMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message the real Microsoft-dialect client (SIPE) and the mock server exchanged in the
 * captured wire logs parses, over a datagram and over a stream, and round-trips its bytes.
 */
class SipeWireLogTest {

  static Stream<String> logs() {
    return Stream.of(
        "noauth-tcp.siplog",
        "ntlm-tcp.siplog",
        "digest407-tcp.siplog",
        "noauth-tls.siplog",
        "ntlm-badpassword.siplog");
  }

  /** The message blocks of a log: the text after each "===== CLIENT/SERVER" marker line. */
  static List<byte[]> messages(String log) throws IOException {
    String shared = System.getProperty("parley.shared.dir");
    if (shared == null) fail("system property parley.shared.dir is not set");
    Path p = Path.of(shared, "protocol", "sipe-wire-logs", log);
    if (!Files.isRegularFile(p)) fail("SIPE wire log missing: " + p);
    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
    List<byte[]> out = new ArrayList<>();
    String[] blocks = text.split("\n===== ");
    for (String b : blocks) {
      if (!(b.startsWith("CLIENT") || b.startsWith("SERVER"))) continue;
      String msg = b.substring(b.indexOf('\n') + 1);
      // other blocks hold the mock server's notes (e.g. the NTLM signature inputs)
      if (!msg.matches("(?s)(SIP/2\\.0 \\d{3}|[A-Z]+ \\S+ SIP/2\\.0\r\n).*")) continue;
      out.add(msg.getBytes(StandardCharsets.ISO_8859_1));
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("logs")
  void everyCapturedMessageParsesAndRoundTrips(String log) throws IOException {
    List<byte[]> msgs = messages(log);
    assertThat(msgs).as(log).isNotEmpty();
    SipMessageParser parser = new SipMessageParser();
    for (byte[] m : msgs) {
      String head = new String(m, 0, Math.min(80, m.length), StandardCharsets.ISO_8859_1);
      if (head.startsWith("\r\n")) continue; // a logged keep-alive
      ParseResult r = parser.parseDatagram(m, 0, m.length);
      assertThat(r).as("%s: %s", log, head).isInstanceOf(ParseResult.Parsed.class);
      SipMessage parsed = ((ParseResult.Parsed) r).message();
      byte[] wire = parsed.toBytes();
      assertThat(new String(m, 0, wire.length, StandardCharsets.ISO_8859_1))
          .isEqualTo(new String(wire, StandardCharsets.ISO_8859_1));
      RecordingListener rec = new RecordingListener();
      SipStreamFramer f = new SipStreamFramer(SipLimits.defaults(), parser, rec);
      for (int i = 0; i < wire.length; i += 7) f.feed(wire, i, Math.min(7, wire.length - i));
      assertThat(rec.messages).as("%s over a stream: %s", log, head).hasSize(1);
      assertThat(parsed.toBuilder().build().callId()).isEqualTo(parsed.callId());
    }
  }
}
