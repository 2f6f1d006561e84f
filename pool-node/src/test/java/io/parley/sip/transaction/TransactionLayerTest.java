package io.parley.sip.transaction;

import static io.parley.testing.SipMessages.invite;
import static io.parley.testing.SipMessages.message;
import static io.parley.testing.SipMessages.request;
import static io.parley.testing.SipMessages.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipParseException;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.SipUri;
import io.parley.sip.transport.Flow;
import io.parley.testing.FakeSipTimers;
import io.parley.testing.FakeSipTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionLayerTest {

  private final FakeSipTimers timers = new FakeSipTimers();
  private final FakeSipTransport transport = new FakeSipTransport();
  private final List<SipRequest> requests = new ArrayList<>();
  private final List<ServerTransaction> serverTxs = new ArrayList<>();
  private final List<SipRequest> acks = new ArrayList<>();
  private TransactionLayer layer;
  private final Flow udp = FakeSipTransport.udpFlow();
  private final Flow tcp = FakeSipTransport.tcpFlow();

  @BeforeEach
  void setUp() {
    layer = newLayer(TransactionOptions.defaults().withOverload(noOverload()));
  }

  private static OverloadPolicy noOverload() {
    return new OverloadPolicy(1_000, 900, Duration.ZERO, 5);
  }

  private TransactionLayer newLayer(TransactionOptions options) {
    TransactionLayer l = new TransactionLayer(transport, timers, options);
    l.transactionUser(
        new TransactionUser() {
          @Override
          public void onRequest(SipRequest request, ServerTransaction tx) {
            requests.add(request);
            serverTxs.add(tx);
          }

          @Override
          public void onAck(SipRequest ack, Flow flow) {
            acks.add(ack);
          }
        });
    return l;
  }

  private static SipResponse ok(SipRequest r, int code, String reason) {
    return SipResponse.forRequest(r, code, reason).toTag("srv1").build();
  }

  private List<Integer> statuses() {
    return transport.sentResponses().stream().map(SipResponse::statusCode).toList();
  }

  // ------------------------------------------------------------------ non-INVITE server

  @Test
  void nonInviteRetransmissionIsAbsorbedAndAnsweredWithTheLastResponse() {
    SipRequest m = message("z9hG4bK-m1", 1, "");
    transport.receive(m, udp);
    serverTxs.getFirst().respond(ok(m, 200, "OK"));
    transport.receive(m, udp);

    assertThat(requests).hasSize(1);
    assertThat(statuses()).containsExactly(200, 200);
    assertThat(transport.sentResponses().get(1).toBytes())
        .isEqualTo(transport.sentResponses().get(0).toBytes());
  }

  @Test
  void nonInviteRetransmissionBeforeAnyResponseIsDroppedSilently() {
    SipRequest m = message("z9hG4bK-m1", 1, "");
    transport.receive(m, udp);
    transport.receive(m, udp);

    assertThat(requests).hasSize(1);
    assertThat(transport.sent()).isEmpty();
  }

  @Test
  void timerJKeepsTheTransactionFor64T1OverUdpOnly() {
    SipRequest m = message("z9hG4bK-m1", 1, "");
    transport.receive(m, udp);
    serverTxs.getFirst().respond(ok(m, 200, "OK"));
    timers.advance(Duration.ofMillis(31_999));
    assertThat(layer.activeTransactions()).isEqualTo(1);
    timers.advance(Duration.ofMillis(1));
    assertThat(layer.activeTransactions()).isZero();

    transport.receive(m, udp);
    assertThat(requests).hasSize(2);
  }

  @Test
  void reliableNonInviteTransactionEndsWithTheFinalResponse() {
    SipRequest m = message("z9hG4bK-m1", 1, "");
    transport.receive(m, tcp);
    serverTxs.getFirst().respond(ok(m, 200, "OK"));
    assertThat(layer.activeTransactions()).isZero();
  }

  @Test
  void retryWithAddedCredentialsReachesTheApplicationAsANewRequest() {
    SipRequest first = message("z9hG4bK-same", 1, "");
    transport.receive(first, tcp);
    serverTxs.getFirst().respond(ok(first, 407, "Proxy Authentication Required"));
    SipRequest retry =
        message(
            "z9hG4bK-same",
            1,
            "Proxy-Authorization: Digest username=\"alice\", realm=\"example.test\", nonce=\"n\","
                + " uri=\"(null)\", response=\"abc\"\n");
    transport.receive(retry, tcp);

    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).header(HeaderName.PROXY_AUTHORIZATION)).contains("alice");
  }

  @Test
  void retryWithChangedCredentialsIsNewButItsRetransmissionIsAbsorbed() {
    SipRequest a = message("z9hG4bK-x", 1, "Authorization: NTLM qop=\"auth\", opaque=\"1\"\n");
    SipRequest b = message("z9hG4bK-x", 1, "Authorization: NTLM qop=\"auth\", opaque=\"2\"\n");
    transport.receive(a, udp);
    serverTxs.getFirst().respond(ok(a, 401, "Unauthorized"));
    transport.receive(b, udp);
    transport.receive(b, udp);

    assertThat(requests).hasSize(2);
  }

  @Test
  void resendWithRebuiltCredentialsWhileTheRetryIsInProgressIsARetransmission() {
    SipRequest first = message("z9hG4bK-r", 1, "");
    transport.receive(first, udp);
    serverTxs.getFirst().respond(ok(first, 401, "Unauthorized"));
    transport.receive(message("z9hG4bK-r", 1, "Authorization: Digest response=\"a\"\n"), udp);
    transport.receive(message("z9hG4bK-r", 1, "Authorization: Digest response=\"b\"\n"), udp);

    assertThat(requests).hasSize(2);
    assertThat(statuses()).containsExactly(401);
  }

  @Test
  void resendWithRebuiltCredentialsAfterTheRetrySucceededGetsTheSameAnswer() {
    SipRequest first = message("z9hG4bK-r", 1, "");
    SipRequest retry = message("z9hG4bK-r", 1, "Authorization: Digest response=\"a\"\n");
    transport.receive(first, udp);
    serverTxs.getFirst().respond(ok(first, 401, "Unauthorized"));
    transport.receive(retry, udp);
    serverTxs.get(1).respond(ok(retry, 200, "OK"));
    transport.receive(message("z9hG4bK-r", 1, "Authorization: Digest response=\"b\"\n"), udp);

    assertThat(requests).hasSize(2);
    assertThat(statuses()).containsExactly(401, 200, 200);
  }

  @Test
  void retryAfterAChallengedRetryIsANewTransactionAgain() {
    SipRequest first = message("z9hG4bK-r", 1, "");
    SipRequest retry = message("z9hG4bK-r", 1, "Authorization: Digest response=\"a\"\n");
    transport.receive(first, udp);
    serverTxs.getFirst().respond(ok(first, 401, "Unauthorized"));
    transport.receive(retry, udp);
    serverTxs.get(1).respond(ok(retry, 401, "Unauthorized")); // e.g. stale nonce
    transport.receive(message("z9hG4bK-r", 1, "Authorization: Digest response=\"b\"\n"), udp);

    assertThat(requests).hasSize(3);
  }

  @Test
  void requestWithCredentialsOnABranchThatWasNotChallengedIsARetransmission() {
    SipRequest first = message("z9hG4bK-r", 1, "");
    transport.receive(first, udp);
    serverTxs.getFirst().respond(ok(first, 403, "Forbidden"));
    transport.receive(message("z9hG4bK-r", 1, "Authorization: Digest response=\"a\"\n"), udp);

    assertThat(requests).hasSize(1);
    assertThat(statuses()).containsExactly(403, 403);
  }

  @Test
  void lateCopyOfTheOriginalRequestIsStillARetransmissionAfterACredentialRetry() {
    SipRequest first = message("z9hG4bK-late", 1, "");
    SipRequest retry = message("z9hG4bK-late", 1, "Proxy-Authorization: Digest response=\"r\"\n");
    transport.receive(first, udp);
    serverTxs.getFirst().respond(ok(first, 407, "Proxy Authentication Required"));
    transport.receive(retry, udp);
    serverTxs.get(1).respond(ok(retry, 200, "OK"));
    transport.receive(first, udp);
    transport.receive(retry, udp);

    assertThat(requests).hasSize(2);
    assertThat(statuses()).containsExactly(407, 200, 407, 200);
    assertThat(layer.activeTransactions()).isEqualTo(2);
    timers.advance(Duration.ofSeconds(32));
    assertThat(layer.activeTransactions()).isZero();
  }

  @Test
  void inviteRetriedWithCredentialsIsANewInviteAndEachAckFindsItsTransaction() {
    SipRequest first = invite("z9hG4bK-inv");
    transport.receive(first, udp);
    serverTxs.getFirst().respond(ok(first, 407, "Proxy Authentication Required"));
    transport.receive(ackFor(first, "z9hG4bK-inv", "srv1"), udp);
    SipRequest retry =
        SipRequest.builder("INVITE", first.requestUri())
            .add(HeaderName.VIA, first.topVia().toString())
            .add(HeaderName.FROM, first.header(HeaderName.FROM))
            .add(HeaderName.TO, first.header(HeaderName.TO))
            .add(HeaderName.CALL_ID, first.callId())
            .add(HeaderName.CSEQ, "1 INVITE")
            .add(HeaderName.PROXY_AUTHORIZATION, "Digest username=\"alice\", response=\"x\"")
            .build();
    transport.receive(retry, udp);
    assertThat(requests).hasSize(2);
    assertThat(serverTxs.get(0).state()).isEqualTo(TransactionState.CONFIRMED);
    assertThat(serverTxs.get(1).state()).isEqualTo(TransactionState.PROCEEDING);

    serverTxs.get(1).respond(ok(retry, 486, "Busy Here"));
    transport.receive(ackFor(first, "z9hG4bK-inv", "srv1"), udp);
    assertThat(serverTxs.get(1).state()).isEqualTo(TransactionState.CONFIRMED);
    assertThat(acks).isEmpty();
  }

  @Test
  void requestsWithoutMagicCookieAreMatchedRfc2543Style() {
    String text =
        "MESSAGE sip:bob@192.0.2.1:5060;transport=tcp SIP/2.0\n"
            + "Via: SIP/2.0/tcp 10.0.0.5:50123\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>;tag=b2\n"
            + "Call-ID: dlg-1\n"
            + "CSeq: %d MESSAGE\n"
            + "Content-Length: 0\n\n";
    SipRequest m1 = request(text.formatted(5));
    transport.receive(m1, udp);
    serverTxs.getFirst().respond(ok(m1, 200, "OK"));
    transport.receive(request(text.formatted(5)), udp);
    transport.receive(request(text.formatted(6)), udp);

    assertThat(requests).hasSize(2);
    assertThat(requests.get(1).cseq().sequence()).isEqualTo(6);
    assertThat(statuses()).containsExactly(200, 200);
  }

  // ------------------------------------------------------------------ INVITE server

  @Test
  void inviteServerSendsTryingAtOnceAndRetransmitsFailureWithTimerG() {
    SipRequest inv = invite("z9hG4bK-i1");
    transport.receive(inv, udp);
    assertThat(statuses()).containsExactly(100);
    serverTxs.getFirst().respond(ok(inv, 486, "Busy Here"));
    transport.clear();

    timers.advance(Duration.ofMillis(500)); // G = T1
    timers.advance(Duration.ofMillis(1000)); // 2*T1
    timers.advance(Duration.ofMillis(2000)); // 4*T1
    timers.advance(Duration.ofMillis(4000)); // capped at T2
    timers.advance(Duration.ofMillis(4000));
    assertThat(statuses()).containsExactly(486, 486, 486, 486, 486);
  }

  @Test
  void ackForFailureIsAbsorbedAndStopsRetransmissions() {
    SipRequest inv = invite("z9hG4bK-i1");
    transport.receive(inv, udp);
    SipResponse busy = ok(inv, 486, "Busy Here");
    serverTxs.getFirst().respond(busy);
    transport.receive(ackFor(inv, "z9hG4bK-i1", "srv1"), udp);
    transport.clear();

    timers.advance(Duration.ofSeconds(4)); // timer I = T4 would end it after 5 s
    assertThat(transport.sent()).isEmpty();
    assertThat(acks).isEmpty();
    assertThat(layer.activeTransactions()).isEqualTo(1);
    timers.advance(Duration.ofSeconds(1));
    assertThat(layer.activeTransactions()).isZero();
  }

  @Test
  void timerHEndsTheTransactionWhenNoAckArrives() {
    SipRequest inv = invite("z9hG4bK-i1");
    transport.receive(inv, udp);
    serverTxs.getFirst().respond(ok(inv, 603, "Decline"));
    timers.advance(Duration.ofMillis(31_999));
    assertThat(layer.activeTransactions()).isEqualTo(1);
    timers.advance(Duration.ofMillis(1));
    assertThat(layer.activeTransactions()).isZero();
  }

  @Test
  void inviteRetransmissionGetsTheLastProvisionalResponse() {
    SipRequest inv = invite("z9hG4bK-i1");
    transport.receive(inv, udp);
    serverTxs.getFirst().respond(ok(inv, 180, "Ringing"));
    transport.receive(inv, udp);
    assertThat(statuses()).containsExactly(100, 180, 180);
    assertThat(requests).hasSize(1);
  }

  @Test
  void ackForTwoHundredGoesToTheApplication() {
    SipRequest inv = invite("z9hG4bK-i1");
    transport.receive(inv, udp);
    serverTxs.getFirst().respond(ok(inv, 200, "OK"));
    transport.receive(inv, udp); // absorbed in Accepted (RFC 6026)
    transport.receive(ackFor(inv, "z9hG4bK-ack2xx", "srv1"), udp);

    assertThat(requests).hasSize(1);
    assertThat(acks).hasSize(1);
  }

  @Test
  void rfc2543AckForFailureMatchesByTheResponseToTag() {
    String inv =
        "INVITE sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>\n"
            + "Call-ID: old-1\n"
            + "CSeq: 1 INVITE\n"
            + "Content-Length: 0\n\n";
    SipRequest invite = request(inv);
    transport.receive(invite, udp);
    serverTxs.getFirst().respond(ok(invite, 404, "Not Found"));
    SipRequest ack =
        request(
            inv.replace("INVITE sip", "ACK sip")
                .replace("1 INVITE", "1 ACK")
                .replace("To: <sip:bob@example.test>", "To: <sip:bob@example.test>;tag=srv1"));
    transport.receive(ack, udp);
    transport.clear();
    timers.advance(Duration.ofSeconds(2));

    assertThat(acks).isEmpty();
    assertThat(transport.sent()).isEmpty(); // confirmed: no more 404 retransmissions
  }

  @Test
  void cancelMatchingAnInviteIsAnsweredAndTerminatesTheInvite() {
    SipRequest inv = invite("z9hG4bK-i1");
    transport.receive(inv, udp);
    SipRequest cancel =
        request(
            "CANCEL sip:bob@example.test SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-i1\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>\n"
                + "Call-ID: inv-1@192.0.2.10\n"
                + "CSeq: 1 CANCEL\n"
                + "Content-Length: 0\n\n");
    transport.receive(cancel, udp);

    assertThat(statuses()).containsExactly(100, 200, 487);
    assertThat(transport.sentResponses().get(1).cseq().method()).isEqualTo("CANCEL");
    assertThat(transport.sentResponses().get(1).to().tag())
        .isNotNull()
        .isEqualTo(transport.sentResponses().get(2).to().tag());
    assertThat(requests).hasSize(1);
  }

  @Test
  void clientCancelReusesTheInviteBranchAndGetsItsOwnResponse() {
    List<SipResponse> inviteResponses = new ArrayList<>();
    List<SipResponse> cancelResponses = new ArrayList<>();
    ClientTransaction inv = layer.sendRequest(outgoing("INVITE"), udp, inviteResponses::add);
    transport.receive(answer(inv.request(), 180), udp);
    ClientTransaction cancel = layer.sendCancel(inv, cancelResponses::add);

    SipRequest sent = transport.sentRequests().getLast();
    assertThat(sent.method()).isEqualTo("CANCEL");
    assertThat(sent.topVia().branch()).isEqualTo(inv.branch());
    assertThat(sent.cseq().method()).isEqualTo("CANCEL");
    assertThat(sent.cseq().sequence()).isEqualTo(inv.request().cseq().sequence());
    transport.receive(answer(cancel.request(), 200), udp);
    transport.receive(answer(inv.request(), 487), udp);

    assertThat(cancelResponses).extracting(SipResponse::statusCode).containsExactly(200);
    assertThat(inviteResponses).extracting(SipResponse::statusCode).containsExactly(180, 487);
  }

  @Test
  void cancelledInviteThatOnlyKeepsRingingTimesOutAfter64T1() {
    List<SipResponse> inviteResponses = new ArrayList<>();
    ClientTransaction inv = layer.sendRequest(outgoing("INVITE"), udp, inviteResponses::add);
    transport.receive(answer(inv.request(), 180), udp);
    ClientTransaction cancel = layer.sendCancel(inv, r -> {});
    transport.receive(answer(cancel.request(), 200), udp);
    int before = layer.activeTransactions();

    timers.advance(Duration.ofSeconds(31)); // 64*T1 = 32 s not yet over
    assertThat(inviteResponses).extracting(SipResponse::statusCode).containsExactly(180);
    timers.advance(Duration.ofSeconds(2));

    assertThat(inviteResponses).extracting(SipResponse::statusCode).containsExactly(180, 408);
    assertThat(layer.activeTransactions()).isLessThan(before);
  }

  @Test
  void cancelMatchingNothingGets481() {
    SipRequest cancel =
        request(
            "CANCEL sip:bob@example.test SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-none\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>\n"
                + "Call-ID: x\n"
                + "CSeq: 1 CANCEL\n"
                + "Content-Length: 0\n\n");
    transport.receive(cancel, udp);
    assertThat(statuses()).containsExactly(481);
    assertThat(requests).isEmpty();
  }

  // ------------------------------------------------------------------ clients

  private SipRequest outgoing(String method) {
    try {
      return SipRequest.builder(method, SipUri.parse("sip:bob@192.0.2.10"))
          .add(HeaderName.MAX_FORWARDS, "70")
          .add(HeaderName.FROM, "<sip:server@example.test>;tag=s1")
          .add(HeaderName.TO, "<sip:bob@example.test>")
          .add(HeaderName.CALL_ID, "out-1")
          .add(HeaderName.CSEQ, "1 " + method)
          .build();
    } catch (SipParseException e) {
      throw new AssertionError(e);
    }
  }

  private SipResponse answer(SipRequest sent, int code) {
    return response(
        "SIP/2.0 "
            + code
            + " Whatever\n"
            + "Via: "
            + sent.topVia()
            + "\n"
            + "From: <sip:server@example.test>;tag=s1\n"
            + "To: <sip:bob@example.test>;tag=b9\n"
            + "Call-ID: out-1\n"
            + "CSeq: 1 "
            + sent.method()
            + "\n"
            + "Content-Length: 0\n\n");
  }

  @Test
  void nonInviteClientRetransmitsWithTimerEAndTimesOutWith408() {
    List<SipResponse> got = new ArrayList<>();
    ClientTransaction tx = layer.sendRequest(outgoing("OPTIONS"), udp, got::add);
    assertThat(tx.request().topVia().branch()).startsWith("z9hG4bK");
    assertThat(tx.request().topVia().hasRport()).isTrue();

    long[] at = {500, 1000, 2000, 4000, 4000};
    for (long step : at) {
      timers.advance(Duration.ofMillis(step));
    }
    assertThat(transport.sentRequests()).hasSize(6);
    timers.advance(Duration.ofMillis(32_000 - 11_500));
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(408);
    assertThat(layer.activeTransactions()).isZero();
  }

  @Test
  void nonInviteClientOverTcpDoesNotRetransmit() {
    List<SipResponse> got = new ArrayList<>();
    layer.sendRequest(outgoing("OPTIONS"), tcp, got::add);
    timers.advance(Duration.ofSeconds(31));
    assertThat(transport.sentRequests()).hasSize(1);
    timers.advance(Duration.ofSeconds(1));
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(408);
  }

  @Test
  void nonInviteClientDeliversResponsesOnceAndEndsAfterTimerK() {
    List<SipResponse> got = new ArrayList<>();
    ClientTransaction tx = layer.sendRequest(outgoing("MESSAGE"), udp, got::add);
    SipResponse ok = answer(tx.request(), 200);
    transport.receive(ok, udp);
    transport.receive(ok, udp);
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(200);
    timers.advance(Duration.ofSeconds(5));
    assertThat(layer.activeTransactions()).isZero();
    assertThat(transport.sentRequests()).hasSize(1);
  }

  @Test
  void inviteClientDoublesTimerAUntilAProvisionalThenAcksAFailure() {
    List<SipResponse> got = new ArrayList<>();
    ClientTransaction tx = layer.sendRequest(outgoing("INVITE"), udp, got::add);
    timers.advance(Duration.ofMillis(500));
    timers.advance(Duration.ofMillis(1000));
    timers.advance(Duration.ofMillis(2000));
    assertThat(transport.sentRequests()).hasSize(4);
    transport.receive(answer(tx.request(), 180), udp);
    timers.advance(Duration.ofSeconds(20));
    assertThat(transport.sentRequests()).hasSize(4);

    SipResponse busy = answer(tx.request(), 486);
    transport.receive(busy, udp);
    transport.receive(busy, udp);
    List<SipRequest> sent = transport.sentRequests();
    assertThat(sent).extracting(SipRequest::method).endsWith("ACK", "ACK");
    SipRequest ack = sent.getLast();
    assertThat(ack.topVia().branch()).isEqualTo(tx.branch());
    assertThat(ack.to().tag()).isEqualTo("b9");
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(180, 486);
  }

  @Test
  void inviteClientTimesOutWithTimerB() {
    List<SipResponse> got = new ArrayList<>();
    layer.sendRequest(outgoing("INVITE"), udp, got::add);
    timers.advance(Duration.ofSeconds(32));
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(408);
    assertThat(transport.sentRequests()).hasSize(7); // 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5 s
  }

  @Test
  void inviteClientPassesTwoHundredRetransmissionsToTheApplication() {
    List<SipResponse> got = new ArrayList<>();
    ClientTransaction tx = layer.sendRequest(outgoing("INVITE"), udp, got::add);
    SipResponse ok = answer(tx.request(), 200);
    transport.receive(ok, udp);
    transport.receive(ok, udp);
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(200, 200);
    assertThat(transport.sentRequests()).extracting(SipRequest::method).containsExactly("INVITE");
  }

  @Test
  void transportFailureBecomesASynthetic503() {
    transport.failWith(new IllegalStateException("connection refused"));
    List<SipResponse> got = new ArrayList<>();
    layer.sendRequest(
        outgoing("OPTIONS"), new Destination("192.0.2.99", 5060, tcp.transport()), got::add);
    assertThat(got).extracting(SipResponse::statusCode).containsExactly(503);
    assertThat(layer.activeTransactions()).isZero();
  }

  @Test
  void responsesMatchingNoTransactionAreStray() {
    List<SipResponse> stray = new ArrayList<>();
    layer.transactionUser(
        new TransactionUser() {
          @Override
          public void onRequest(SipRequest request, ServerTransaction tx) {}

          @Override
          public void onStrayResponse(SipResponse response, Flow flow) {
            stray.add(response);
          }
        });
    SipRequest fake =
        outgoing("OPTIONS").toBuilder()
            .addFirst(HeaderName.VIA, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-zzz")
            .build();
    SipResponse r = answer(fake, 200);
    transport.receive(r, udp);
    assertThat(stray).hasSize(1);
  }

  @Test
  void statelessForwardingDerivesTheSameBranchForARetransmission() {
    SipRequest m = message("z9hG4bK-m1", 1, "");
    Destination d = new Destination("192.0.2.50", 5060, udp.transport());
    layer.forwardStateless(m, d);
    layer.forwardStateless(m, d);
    List<SipRequest> sent = transport.sentRequests();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(0).vias()).hasSize(2);
    assertThat(sent.get(0).topVia().branch()).isEqualTo(sent.get(1).topVia().branch());
    assertThat(sent.get(0).topVia().branch()).isNotEqualTo("z9hG4bK-m1");
  }

  // ------------------------------------------------------------------ helpers

  private static SipRequest ackFor(SipRequest invite, String branch, String toTag) {
    return request(
        "ACK "
            + invite.requestUri()
            + " SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch="
            + branch
            + "\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>;tag="
            + toTag
            + "\n"
            + "Call-ID: "
            + invite.callId()
            + "\n"
            + "CSeq: 1 ACK\n"
            + "Content-Length: 0\n\n");
  }
}
