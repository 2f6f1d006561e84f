package io.parley.sip.message;

import java.nio.charset.StandardCharsets;

/** Typical wire messages for tests and benchmarks. */
public final class SipTestMessages {
  private SipTestMessages() {}

  public static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static final String REGISTER =
      "REGISTER sip:example.test SIP/2.0\r\n"
          + "Via: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bK776asdhds;rport\r\n"
          + "Max-Forwards: 70\r\n"
          + "To: \"Alice Smith\" <sip:alice@example.test>\r\n"
          + "From: \"Alice Smith\" <sip:alice@example.test>;tag=1928301774\r\n"
          + "Call-ID: a84b4c76e66710@pc33.example.test\r\n"
          + "CSeq: 314159 REGISTER\r\n"
          + "Contact: <sip:alice@192.0.2.10:50123;transport=tls>;expires=3600;"
          + "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"\r\n"
          + "Supported: gruu, path, outbound\r\n"
          + "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, SUBSCRIBE, INFO\r\n"
          + "User-Agent: Parley-Test/1.0 (Windows NT 10.0)\r\n"
          + "Authorization: Digest username=\"alice\", realm=\"example.test\", "
          + "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"sip:example.test\", "
          + "response=\"6629fae49393a05397450978507c4ef1\"\r\n"
          + "Expires: 3600\r\n"
          + "Content-Length: 0\r\n"
          + "\r\n";

  public static final String MESSAGE =
      "MESSAGE sip:bob@example.test SIP/2.0\r\n"
          + "Via: SIP/2.0/TLS 192.0.2.10:50123;branch=z9hG4bK776asdhdx\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: <sip:alice@example.test>;tag=49583\r\n"
          + "To: <sip:bob@example.test>\r\n"
          + "Call-ID: asd88asd77a@1.2.3.4\r\n"
          + "CSeq: 1 MESSAGE\r\n"
          + "Content-Type: text/plain;charset=UTF-8\r\n"
          + "Content-Length: 18\r\n"
          + "\r\n"
          + "Watson, come here.";

  public static final String INVITE =
      "INVITE sip:bob@example.test SIP/2.0\r\n"
          + "Via: SIP/2.0/TCP pc33.example.test:5060;branch=z9hG4bK776asdhds\r\n"
          + "Max-Forwards: 70\r\n"
          + "Route: <sip:proxy.example.test;lr>\r\n"
          + "To: Bob <sip:bob@example.test>\r\n"
          + "From: Alice <sip:alice@example.test>;tag=1928301774\r\n"
          + "Call-ID: a84b4c76e66710@pc33.example.test\r\n"
          + "CSeq: 314159 INVITE\r\n"
          + "Contact: <sip:alice@pc33.example.test;transport=tcp>\r\n"
          + "Content-Type: application/sdp\r\n"
          + "Content-Length: 142\r\n"
          + "\r\n"
          + "v=0\r\n"
          + "o=alice 2890844526 2890844526 IN IP4 pc33.example.test\r\n"
          + "s=-\r\n"
          + "c=IN IP4 192.0.2.101\r\n"
          + "t=0 0\r\n"
          + "m=audio 49172 RTP/AVP 0\r\n"
          + "a=rtpmap:0 PCMU/8000\r\n";

  private static final String PIDF =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
          + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:alice@example.test\">\r\n"
          + "<tuple id=\"t1\"><status><basic>open</basic></status>"
          + "<note>In a meeting</note></tuple>\r\n"
          + "</presence>\r\n";

  public static final String NOTIFY =
      "NOTIFY sip:bob@192.0.2.20:5061;transport=tls SIP/2.0\r\n"
          + "Via: SIP/2.0/TLS server.example.test;branch=z9hG4bK8d1\r\n"
          + "Max-Forwards: 70\r\n"
          + "From: <sip:alice@example.test>;tag=ffd2\r\n"
          + "To: <sip:bob@example.test>;tag=xfg9\r\n"
          + "Call-ID: 2010@bob.example.test\r\n"
          + "CSeq: 7 NOTIFY\r\n"
          + "Event: presence\r\n"
          + "Subscription-State: active;expires=599\r\n"
          + "Contact: <sip:server.example.test;transport=tls>\r\n"
          + "Content-Type: application/pidf+xml\r\n"
          + "Content-Length: "
          + PIDF.length()
          + "\r\n"
          + "\r\n"
          + PIDF;
}
