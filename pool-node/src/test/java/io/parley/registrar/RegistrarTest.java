package io.parley.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.Transport;
import io.parley.testing.SipMessages;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RegistrarTest {

  private static final String AOR = "sip:alice@example.test";
  private Instant now = Instant.parse("2026-01-01T10:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
  private final InMemoryLocationStore store = new InMemoryLocationStore(clock);
  private final Registrar registrar =
      new Registrar(RegistrarConfig.defaults(), store, "node-1", clock);
  private final AtomicLong branches = new AtomicLong();
  private final Flow tcp = flow("node-1/tcp-1", Transport.TCP, 40000);

  private static Flow flow(String id, Transport t, int port) {
    return new Flow(
        id, t, new InetSocketAddress("192.0.2.10", port), new InetSocketAddress("192.0.2.1", 5060));
  }

  private SipResponse register(Flow flow, String callId, long cseq, String headers) {
    var req =
        SipMessages.request(
            "REGISTER sip:example.test SIP/2.0\n"
                + "Via: SIP/2.0/TCP 192.0.2.10:40000;branch=z9hG4bK-r"
                + branches.incrementAndGet()
                + "\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:alice@example.test>;tag=f1\n"
                + "To: <sip:alice@example.test>\n"
                + "Call-ID: "
                + callId
                + "\n"
                + "CSeq: "
                + cseq
                + " REGISTER\n"
                + headers
                + "Content-Length: 0\n\n");
    return registrar.register(req, flow, AOR).result();
  }

  private List<Binding> bindings() {
    return store.lookup(AOR).result();
  }

  @Test
  void addListsTheBindingWithItsGrantedExpiryAndADate() {
    SipResponse r = register(tcp, "c1", 1, "Contact: <sip:alice@192.0.2.10:40000;transport=tcp>\n");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.to().tag()).isNotBlank();
    assertThat(r.headerValues(HeaderName.CONTACT))
        .containsExactly("<sip:alice@192.0.2.10:40000;transport=tcp>;expires=3600");
    assertThat(r.header(HeaderName.EXPIRES)).isEqualTo("3600");
    assertThat(r.header(HeaderName.DATE)).isEqualTo("Thu, 01 Jan 2026 10:00:00 GMT");
    Binding b = bindings().get(0);
    assertThat(b.flowId()).isEqualTo("node-1/tcp-1");
    assertThat(b.transport()).isEqualTo("TCP");
    assertThat(b.remotePort()).isEqualTo(40000);
    assertThat(b.nodeId()).isEqualTo("node-1");
  }

  @Test
  void expiresComesFromTheContactParamThenTheHeaderAndIsClampedToTheMaximum() {
    register(tcp, "c1", 1, "Expires: 600\nContact: <sip:a@192.0.2.10>;expires=120\n");
    register(tcp, "c1", 2, "Expires: 600\nContact: <sip:b@192.0.2.10>\n");
    SipResponse r = register(tcp, "c1", 3, "Contact: <sip:c@192.0.2.10>;expires=99999999999999\n");

    assertThat(r.headerValues(HeaderName.CONTACT))
        .containsExactly(
            "<sip:a@192.0.2.10>;expires=120",
            "<sip:b@192.0.2.10>;expires=600",
            "<sip:c@192.0.2.10>;expires=7200");
    assertThat(r.header(HeaderName.EXPIRES)).isEqualTo("7200");
  }

  @Test
  void tooShortAnIntervalIsRefusedWithMinExpires() {
    SipResponse r = register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10>;expires=30\n");

    assertThat(r.statusCode()).isEqualTo(423);
    assertThat(r.header(HeaderName.MIN_EXPIRES)).isEqualTo("60");
    assertThat(bindings()).isEmpty();
  }

  @Test
  void refreshExtendsAndZeroRemovesOneContactOnly() {
    register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10>;expires=600\n");
    register(tcp, "c1", 2, "Contact: <sip:b@192.0.2.10>;expires=600\n");
    now = now.plusSeconds(500);
    register(tcp, "c1", 3, "Contact: <sip:a@192.0.2.10>;expires=600\n");
    SipResponse r = register(tcp, "c1", 4, "Contact: <sip:b@192.0.2.10>;expires=0\n");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headerValues(HeaderName.CONTACT))
        .containsExactly("<sip:a@192.0.2.10>;expires=600");
  }

  @Test
  void wildcardRemovesEverythingButOnlyAloneAndWithExpiresZero() {
    register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10>\n");
    register(tcp, "c2", 1, "Contact: <sip:b@192.0.2.10>\n");

    assertThat(register(tcp, "c3", 1, "Contact: *\n").statusCode()).isEqualTo(400);
    assertThat(
            register(tcp, "c3", 2, "Expires: 0\nContact: *\nContact: <sip:x@192.0.2.10>\n")
                .statusCode())
        .isEqualTo(400);
    assertThat(bindings()).hasSize(2);

    SipResponse r = register(tcp, "c3", 3, "Expires: 0\nContact: *\n");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headerValues(HeaderName.CONTACT)).isEmpty();
    assertThat(bindings()).isEmpty();
  }

  @Test
  void sameCallIdWithAnOldCseqFailsAndChangesNothing() {
    register(tcp, "c1", 5, "Contact: <sip:a@192.0.2.10>;expires=600\n");

    SipResponse stale = register(tcp, "c1", 5, "Contact: <sip:a@192.0.2.10>;expires=0\n");
    SipResponse wildcard = register(tcp, "c1", 4, "Expires: 0\nContact: *\n");
    SipResponse otherCall = register(tcp, "c9", 1, "Contact: <sip:a@192.0.2.10>;expires=900\n");

    assertThat(stale.statusCode()).isEqualTo(500);
    assertThat(wildcard.statusCode()).isEqualTo(500);
    assertThat(otherCall.statusCode()).isEqualTo(200);
    assertThat(bindings()).singleElement().extracting(Binding::callId).isEqualTo("c9");
  }

  @Test
  void sameInstanceAndRegIdFromANewFlowReplacesTheOldBinding() {
    String inst = ";+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\"";
    register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10:40000>" + inst + ";reg-id=1\n");
    register(
        flow("node-1/udp-192.0.2.20:5060", Transport.UDP, 5060),
        "c2",
        1,
        "Contact: <sip:phone@192.0.2.20>\n");
    Flow newFlow = flow("node-1/tcp-2", Transport.TCP, 40001);
    SipResponse r =
        register(newFlow, "c3", 1, "Contact: <sip:a@192.0.2.10:40001>" + inst + ";reg-id=1\n");

    assertThat(r.headerValues(HeaderName.CONTACT))
        .containsExactlyInAnyOrder(
            "<sip:phone@192.0.2.20>;expires=3600",
            "<sip:a@192.0.2.10:40001>;expires=3600" + inst + ";reg-id=1");
    assertThat(bindings())
        .extracting(Binding::flowId)
        .contains("node-1/tcp-2")
        .doesNotContain("node-1/tcp-1");
  }

  @Test
  void noContactIsAQueryOfTheCurrentBindings() {
    register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10>\n");
    now = now.plusSeconds(100);

    SipResponse r = register(tcp, "c2", 1, "");

    assertThat(r.headerValues(HeaderName.CONTACT))
        .containsExactly("<sip:a@192.0.2.10>;expires=3500");
    assertThat(r.header(HeaderName.EXPIRES)).isNull();
  }

  @Test
  void malformedExpiresQAndRegIdAre400() {
    assertThat(register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10>;expires=-5\n").statusCode())
        .isEqualTo(400);
    assertThat(register(tcp, "c1", 2, "Contact: <sip:a@192.0.2.10>;q=1.5\n").statusCode())
        .isEqualTo(400);
    assertThat(
            register(
                    tcp,
                    "c1",
                    3,
                    "Contact: <sip:a@192.0.2.10>;+sip.instance=\"<urn:x>\";reg-id=zero\n")
                .statusCode())
        .isEqualTo(400);
    assertThat(register(tcp, "c1", 4, "Contact: <tel:+123>\n").statusCode()).isEqualTo(400);
    assertThat(bindings()).isEmpty();
  }

  @Test
  void msKeepAliveIsAnsweredOnlyWhenAsked() {
    SipResponse plain = register(tcp, "c1", 1, "Contact: <sip:a@192.0.2.10>\n");
    SipResponse sipe =
        register(tcp, "c1", 2, "ms-keep-alive: UAC;hop-hop=yes\nContact: <sip:a@192.0.2.10>\n");

    assertThat(plain.header(HeaderName.of("ms-keep-alive"))).isNull();
    assertThat(sipe.header(HeaderName.of("ms-keep-alive")))
        .isEqualTo("UAS; tcp=no; hop-hop=yes; end-end=no; timeout=300");
  }

  @Test
  void tooManyDevicesAreRefused() {
    Registrar small =
        new Registrar(
            new RegistrarConfig(
                Duration.ofSeconds(60), Duration.ofSeconds(7200), Duration.ofSeconds(3600), 2, 300),
            store,
            "node-1",
            clock);
    var req =
        SipMessages.request(
            "REGISTER sip:example.test SIP/2.0\nVia: SIP/2.0/TCP 192.0.2.10;branch=z9hG4bK-x\n"
                + "From: <sip:alice@example.test>;tag=f\nTo: <sip:alice@example.test>\n"
                + "Call-ID: many\nCSeq: 1 REGISTER\n"
                + "Contact: <sip:a@192.0.2.10>, <sip:b@192.0.2.10>, <sip:c@192.0.2.10>\n"
                + "Content-Length: 0\n\n");

    assertThat(small.register(req, tcp, AOR).result().statusCode()).isEqualTo(403);
    assertThat(bindings()).isEmpty();
  }
}
