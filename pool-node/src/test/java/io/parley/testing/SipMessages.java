package io.parley.testing;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.parse.ParseResult;
import io.parley.sip.parse.SipLimits;
import io.parley.sip.parse.SipMessageParser;
import java.nio.charset.StandardCharsets;

/** Builds test messages from readable text ({@code \n} line ends become CRLF). */
public final class SipMessages {

  private static final SipMessageParser PARSER = new SipMessageParser(SipLimits.defaults());

  private SipMessages() {}

  /** Wire bytes of the text with CRLF line ends. */
  public static byte[] wire(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  public static SipMessage parse(String text) {
    ParseResult r = PARSER.parse(wire(text));
    if (r instanceof ParseResult.Parsed p) {
      return p.message();
    }
    throw new IllegalArgumentException("test message does not parse: " + r);
  }

  public static SipRequest request(String text) {
    return (SipRequest) parse(text);
  }

  public static SipResponse response(String text) {
    return (SipResponse) parse(text);
  }

  /** A MESSAGE request from alice, out of dialog. */
  public static SipRequest message(String branch, long cseq, String extraHeaders) {
    return request(
        "MESSAGE sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch="
            + branch
            + "\n"
            + "Max-Forwards: 70\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>\n"
            + "Call-ID: call-1@192.0.2.10\n"
            + "CSeq: "
            + cseq
            + " MESSAGE\n"
            + extraHeaders
            + "Content-Length: 0\n\n");
  }

  /** An INVITE from alice, out of dialog. */
  public static SipRequest invite(String branch) {
    return request(
        "INVITE sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch="
            + branch
            + "\n"
            + "Max-Forwards: 70\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>\n"
            + "Call-ID: inv-1@192.0.2.10\n"
            + "CSeq: 1 INVITE\n"
            + "Contact: <sip:alice@192.0.2.10>\n"
            + "Content-Length: 0\n\n");
  }
}
