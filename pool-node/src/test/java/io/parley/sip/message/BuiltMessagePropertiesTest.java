package io.parley.sip.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

/**
 * A message our builder makes is not parsed again (and {@link SipRequest#withTopVia} splices the
 * Via into its bytes): for any builder input it must be the very message, with the very verdict,
 * that the full decode of its bytes gives.
 */
class BuiltMessagePropertiesTest {

  record Field(HeaderName name, String value) {}

  record Input(String method, String uri, List<Field> fields, @Nullable String type, byte[] body) {}

  private static final List<String> URIS =
      List.of(
          "sip:bob@example.test",
          "sips:bob@example.test:5061;transport=tls",
          "sip:192.0.2.4:40000;transport=tcp;ob",
          "sip:[2001:db8::1]:5070",
          "tel:+1-201-555-0123",
          "urn:service:sos",
          "sip:bob@example.test?Subject=hi");

  private static final List<HeaderName> NAMES =
      List.of(
          HeaderName.VIA,
          HeaderName.FROM,
          HeaderName.TO,
          HeaderName.CALL_ID,
          HeaderName.CSEQ,
          HeaderName.MAX_FORWARDS,
          HeaderName.CONTACT,
          HeaderName.ROUTE,
          HeaderName.RECORD_ROUTE,
          HeaderName.CONTENT_TYPE,
          HeaderName.CONTENT_LENGTH,
          HeaderName.EXPIRES,
          HeaderName.EVENT,
          HeaderName.SUBSCRIPTION_STATE,
          HeaderName.DATE,
          HeaderName.of("X-Parley-Test"),
          HeaderName.of("Bad Name"),
          HeaderName.of("Bad:Name"),
          HeaderName.of("Ünï"),
          HeaderName.of(""));

  private static final List<String> GOOD_VALUES =
      List.of(
          "SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-1;rport",
          "SIP/2.0/UDP a.example.test;branch=z9hG4bKa, SIP/2.0/TLS b.example.test",
          "<sip:alice@example.test>;tag=f1",
          "\"Alice \\\"A\\\"\" <sip:alice@example.test>;tag=1;epid=cf0b98dadeb9",
          "Bob <sips:bob@example.test>",
          "sip:carol@example.test;tag=x",
          "<sip:p1.example.test;lr>, <sip:p2.example.test;lr>",
          "<sip:192.0.2.4:40000;transport=tcp>;expires=60;+sip.instance=\"<urn:uuid:1>\"",
          "*",
          "abc@192.0.2.1",
          "12 NOTIFY",
          "4294967295 INVITE",
          "70",
          "0",
          "007",
          "3600",
          "application/pidf+xml",
          "multipart/related;type=\"application/rlmi+xml\";boundary=b1",
          "presence;id=7",
          "active;expires=599",
          "Sat, 13 Nov 2010 23:29:00 GMT",
          "Ünïcödé ✓ value",
          "");

  private static List<String> suiting(HeaderName n) {
    if (n.equals(HeaderName.VIA)) return GOOD_VALUES.subList(0, 2);
    if (n.equals(HeaderName.FROM) || n.equals(HeaderName.TO)) return GOOD_VALUES.subList(2, 6);
    if (n.equals(HeaderName.CONTACT)) return GOOD_VALUES.subList(2, 9);
    if (n.equals(HeaderName.ROUTE) || n.equals(HeaderName.RECORD_ROUTE)) {
      return GOOD_VALUES.subList(6, 7);
    }
    if (n.equals(HeaderName.CSEQ)) return GOOD_VALUES.subList(10, 12);
    if (n.equals(HeaderName.MAX_FORWARDS)
        || n.equals(HeaderName.EXPIRES)
        || n.equals(HeaderName.CONTENT_LENGTH)) {
      return GOOD_VALUES.subList(12, 16);
    }
    if (n.equals(HeaderName.CONTENT_TYPE)) return GOOD_VALUES.subList(16, 18);
    return GOOD_VALUES;
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.of(GOOD_VALUES)),
        net.jqwik.api.Tuple.of(
            2,
            Arbitraries.strings()
                .withChars("<>@:;,=\"\\ \t.abcSIP/2.0_-0123456789*?\u000b\u00a0éλ\uD800")
                .ofMaxLength(40)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(20)));
  }

  @Provide
  Arbitrary<Input> inputs() {
    // mostly a value that suits the header, so that most messages build and take the shortcut
    Arbitrary<Field> field =
        Arbitraries.of(NAMES)
            .flatMap(
                n ->
                    Arbitraries.frequencyOf(
                            net.jqwik.api.Tuple.of(4, Arbitraries.of(suiting(n))),
                            net.jqwik.api.Tuple.of(1, values()))
                        .map(v -> new Field(n, v)));
    return Combinators.combine(
            Arbitraries.of("NOTIFY", "MESSAGE", "INVITE", "SUBSCRIBE", "X-ODD", "BENOTIFY"),
            Arbitraries.of(URIS),
            field.list().ofMaxSize(14),
            Arbitraries.of("text/plain", "application/pidf+xml").injectNull(0.4),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
        .as(Input::new);
  }

  @Provide
  Arbitrary<String> vias() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(
            6,
            Arbitraries.of(
                "SIP/2.0/TCP 127.0.0.1:31461;branch=z9hG4bK1c.2;rport",
                "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKx",
                "SIP/2.0/TLS a.example.test;branch=z9hG4bKa, SIP/2.0/TLS b.example.test",
                "  SIP/2.0/WS ws.example.test;branch=z9hG4bKw  ")),
        net.jqwik.api.Tuple.of(2, values()));
  }

  @Property(tries = 300)
  void aBuiltRequestIsWhatParsingItsBytesGives(@ForAll("inputs") Input in) throws Exception {
    SipRequest.Builder b = builder(in);
    Object fast = outcome(b::build);
    Object full = outcome(() -> WireFormat.decodeBuilt(b.serialize(startLine(in))));
    Statistics.collect(fast instanceof BaseMessage m ? (m.canonical ? "shortcut" : "full") : fast);
    assertSame(fast, full);
  }

  @Property(tries = 300)
  void aBuiltResponseIsWhatParsingItsBytesGives(
      @ForAll("inputs") Input in, @ForAll("values") String reason) throws Exception {
    SipResponse.Builder b;
    try {
      b = SipResponse.builder(200, reason);
    } catch (IllegalArgumentException refused) {
      return;
    }
    in.fields().forEach(f -> add(b, f));
    if (in.type() != null || in.body().length > 0) {
      b.body(in.type(), in.body());
    }
    Object fast = outcome(b::build);
    Object full = outcome(() -> WireFormat.decodeBuilt(b.serialize("SIP/2.0 200 " + reason)));
    assertSame(fast, full);
  }

  @Property(tries = 300)
  void aViaSplicedIntoABuiltRequestIsWhatRebuildingItGives(
      @ForAll("inputs") Input in, @ForAll("vias") String first, @ForAll("vias") String second)
      throws Exception {
    SipRequest built;
    try {
      built = builder(in).build();
    } catch (IllegalArgumentException notBuilt) {
      return;
    }
    SipRequest current = built;
    for (String via : List.of(first, second)) {
      SipRequest base = current;
      Object spliced = outcome(() -> base.withTopVia(via));
      SipRequest.Builder rebuild = base.toBuilder().addFirst(HeaderName.VIA, via);
      Object full =
          outcome(
              () ->
                  WireFormat.decodeBuilt(
                      rebuild.serialize(base.method() + " " + base.requestUri() + " SIP/2.0")));
      Statistics.collect(
          spliced instanceof BaseMessage ? (base.canonical ? "spliced" : "rebuilt") : spliced);
      assertSame(spliced, full);
      if (!(spliced instanceof SipRequest next)) {
        return;
      }
      current = next;
    }
  }

  @Example
  void aNotifyAsThePresenceAgentBuildsItTakesTheShortcutAndKeepsItThroughTheVia() throws Exception {
    SipRequest notify =
        SipRequest.builder("NOTIFY", Uri.parse("sip:w1@192.0.2.7:40000;transport=tcp"))
            .add(HeaderName.MAX_FORWARDS, "70")
            .add(HeaderName.FROM, "<sip:p1@example.test>;tag=a1")
            .add(HeaderName.TO, "<sip:w1@example.test>;tag=b2")
            .add(HeaderName.CALL_ID, "c-1")
            .add(HeaderName.CSEQ, "2 NOTIFY")
            .add(HeaderName.CONTACT, "<sip:127.0.0.1:5060;transport=tcp>")
            .add(HeaderName.EVENT, "presence")
            .add(HeaderName.SUBSCRIPTION_STATE, "active;expires=599")
            .body("application/pidf+xml", "<presence/>".getBytes(StandardCharsets.UTF_8))
            .build();
    SipRequest sent = notify.withTopVia("SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1;rport");

    assertThat(notify.canonical).isTrue();
    assertThat(sent.canonical).isTrue();
    assertThat(sent.toString())
        .startsWith(
            "NOTIFY sip:w1@192.0.2.7:40000;transport=tcp SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1;rport\r\nMax-Forwards: 70\r\n")
        .endsWith("Content-Length: 11\r\n\r\n<presence/>");
    assertThat(sent.topVia().branch()).isEqualTo("z9hG4bK1");
    assertThat(sent.callId()).isEqualTo("c-1");
    assertThat(sent.header(HeaderName.SUBSCRIPTION_STATE)).isEqualTo("active;expires=599");
    byte[] wire = sent.toBytes();
    assertSame(sent, WireFormat.decode(wire, 0, wire.length, 128, true));
  }

  @Example
  void aViaOnAReceivedRequestRebuildsItInLongForm() throws Exception {
    byte[] wire =
        SipTestMessages.bytes(
            "MESSAGE sip:bob@example.test SIP/2.0\r\n"
                + "v: SIP/2.0/TCP 192.0.2.9:49350;branch=z9hG4bKc\r\n"
                + "f: <sip:alice@example.test>;tag=1\r\n"
                + "t: <sip:bob@example.test>\r\n"
                + "i: abc\r\n"
                + "CSeq: 3 MESSAGE\r\n"
                + "l: 0\r\n"
                + "\r\n");
    SipRequest received = (SipRequest) WireFormat.decode(wire, 0, wire.length, 128, true);

    SipRequest forwarded = received.withTopVia("SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKp");

    assertThat(received.canonical).isFalse();
    assertThat(forwarded.toString())
        .contains(
            "\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKp\r\n"
                + "Via: SIP/2.0/TCP 192.0.2.9:49350;branch=z9hG4bKc\r\nFrom:");
    assertThat(forwarded.vias()).extracting(Via::branch).containsExactly("z9hG4bKp", "z9hG4bKc");
  }

  private static String startLine(Input in) {
    return in.method() + " " + uri(in) + " SIP/2.0";
  }

  private static Uri uri(Input in) {
    try {
      return Uri.parse(in.uri());
    } catch (SipParseException e) {
      throw new AssertionError(e);
    }
  }

  private static SipRequest.Builder builder(Input in) {
    SipRequest.Builder b = SipRequest.builder(in.method(), uri(in));
    in.fields().forEach(f -> add(b, f));
    if (in.type() != null || in.body().length > 0) {
      b.body(in.type(), in.body());
    }
    return b;
  }

  private static void add(SipMessage.Builder b, Field f) {
    try {
      b.add(f.name(), f.value());
    } catch (IllegalArgumentException refused) {
      // CR/LF in the value: the builder refuses it before building
    }
  }

  private interface Step {
    Object run() throws Exception;
  }

  /** The message, or the exception class when it was refused. */
  private static Object outcome(Step s) {
    try {
      return s.run();
    } catch (IllegalArgumentException | SipParseException e) {
      return "refused";
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertSame(Object actual, Object expected) {
    if (!(expected instanceof BaseMessage e)) {
      assertThat(actual).isEqualTo(expected);
      return;
    }
    assertThat(actual).isInstanceOf(BaseMessage.class);
    BaseMessage a = (BaseMessage) actual;
    assertThat(new String(a.raw, StandardCharsets.ISO_8859_1))
        .isEqualTo(new String(e.raw, StandardCharsets.ISO_8859_1));
    assertThat(a.bodyOffset).isEqualTo(e.bodyOffset);
    assertThat(a.headers.size()).isEqualTo(e.headers.size());
    for (int i = 0; i < e.headers.size(); i++) {
      assertThat(a.headers.name(i)).isEqualTo(e.headers.name(i));
      assertThat(a.headers.name(i).isKnown()).isEqualTo(e.headers.name(i).isKnown());
      assertThat(a.headers.value(i)).isEqualTo(e.headers.value(i));
    }
    assertThat(a.vias).isEqualTo(e.vias);
    assertThat(a.from).isEqualTo(e.from);
    assertThat(a.to).isEqualTo(e.to);
    assertThat(a.callIdIndex).isEqualTo(e.callIdIndex);
    assertThat(a.cseq).isEqualTo(e.cseq);
    assertThat(a.maxForwards).isEqualTo(e.maxForwards);
    assertThat(a.contacts).isEqualTo(e.contacts);
    assertThat(a.wildcardContact).isEqualTo(e.wildcardContact);
    assertThat(a.routes).isEqualTo(e.routes);
    assertThat(a.recordRoutes).isEqualTo(e.recordRoutes);
    assertThat(a.contentType).isEqualTo(e.contentType);
    assertThat(a.expires).isEqualTo(e.expires);
    if (e instanceof SipRequest er) {
      SipRequest ar = (SipRequest) a;
      assertThat(ar.method()).isEqualTo(er.method());
      assertThat(ar.requestUri()).isEqualTo(er.requestUri());
    } else {
      SipResponse er = (SipResponse) e;
      SipResponse ar = (SipResponse) a;
      assertThat(ar.statusCode()).isEqualTo(er.statusCode());
      assertThat(ar.reasonPhrase()).isEqualTo(er.reasonPhrase());
    }
  }
}
