package io.parley.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipRequest;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.Transport;
import io.parley.testing.SipMessages;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RegistrarPropertiesTest {

  private static final Flow FLOW =
      new Flow(
          "n/tcp-1",
          Transport.TCP,
          new InetSocketAddress("192.0.2.10", 40000),
          new InetSocketAddress("192.0.2.1", 5060));

  @Provide
  Arbitrary<String> paramValues() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("0123456789.-+ex").ofMaxLength(25),
        Arbitraries.strings().numeric().ofMaxLength(30),
        Arbitraries.of(
            "0", "1", "59", "60", "7200", "7201", "2147483648", "1.0", "0.5", "\"<urn:x>\""));
  }

  @Property(tries = 300)
  void anyExpiresQOrRegIdGetsAnAnswerAndGrantedExpiriesStayInRange(
      @ForAll("paramValues") String expires,
      @ForAll("paramValues") String header,
      @ForAll("paramValues") String q,
      @ForAll("paramValues") String regId) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    InMemoryLocationStore store = new InMemoryLocationStore(Clock.fixed(now, ZoneOffset.UTC));
    Registrar registrar =
        new Registrar(RegistrarConfig.defaults(), store, "n", Clock.fixed(now, ZoneOffset.UTC));
    String text =
        "REGISTER sip:example.test SIP/2.0\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK-p\n"
            + "From: <sip:alice@example.test>;tag=f\nTo: <sip:alice@example.test>\n"
            + "Call-ID: p\nCSeq: 1 REGISTER\nExpires: "
            + header
            + "\nContact: <sip:a@192.0.2.10>;expires="
            + expires
            + ";q="
            + q
            + ";+sip.instance=\"<urn:x>\";reg-id="
            + regId
            + "\nContent-Length: 0\n\n";
    SipRequest request;
    try {
      request = SipMessages.request(text);
    } catch (IllegalArgumentException unparseable) {
      return; // the parser already answered it
    }

    int status = registrar.register(request, FLOW, "sip:alice@example.test").result().statusCode();

    assertThat(status).isIn(200, 400, 423);
    for (Binding b : store.lookup("sip:alice@example.test").result()) {
      assertThat(b.secondsLeft(now)).isBetween(60L, 7200L);
    }
  }
}
