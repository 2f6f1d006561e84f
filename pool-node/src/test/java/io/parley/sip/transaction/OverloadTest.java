package io.parley.sip.transaction;

import static io.parley.testing.SipMessages.message;
import static io.parley.testing.SipMessages.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;
import io.parley.testing.FakeSipTimers;
import io.parley.testing.FakeSipTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverloadTest {

  private final FakeSipTimers timers = new FakeSipTimers();
  private final FakeSipTransport transport = new FakeSipTransport();
  private final List<ServerTransaction> txs = new ArrayList<>();
  private final Flow tcp = FakeSipTransport.tcpFlow();
  private final Flow udp = FakeSipTransport.udpFlow();

  private TransactionLayer layer(OverloadPolicy policy, int hardCap) {
    TransactionLayer l =
        new TransactionLayer(
            transport,
            timers,
            TransactionOptions.defaults().withOverload(policy).withMaxTransactions(hardCap));
    l.transactionUser((request, tx) -> txs.add(tx));
    return l;
  }

  private TransactionLayer layer(OverloadPolicy policy, int hardCap, int maxCompleted) {
    TransactionLayer l =
        new TransactionLayer(
            transport,
            timers,
            TransactionOptions.defaults()
                .withOverload(policy)
                .withMaxTransactions(hardCap)
                .withMaxCompletedTransactions(maxCompleted));
    l.transactionUser((request, tx) -> txs.add(tx));
    return l;
  }

  private void answerAll(int code) {
    for (ServerTransaction tx : txs) {
      if (tx.lastResponse() == null) {
        tx.respond(SipResponse.forRequest(tx.request(), code, "X").toTag("t").build());
      }
    }
  }

  private List<SipResponse> busy() {
    return transport.sentResponses().stream().filter(r -> r.statusCode() == 503).toList();
  }

  private static SipRequest bye(String branch) {
    return request(
        "BYE sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/TCP 192.0.2.10:5060;branch="
            + branch
            + "\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>\n"
            + "Call-ID: d1\n"
            + "CSeq: 2 BYE\n"
            + "Content-Length: 0\n\n");
  }

  private static SipRequest inDialog(String branch) {
    return request(
        "MESSAGE sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/TCP 192.0.2.10:5060;branch="
            + branch
            + "\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>;tag=b1\n"
            + "Call-ID: d1\n"
            + "CSeq: 3 MESSAGE\n"
            + "Content-Length: 0\n\n");
  }

  @Test
  void aboveTheHighWatermarkNewOutOfDialogRequestsGet503WithRetryAfter() {
    layer(new OverloadPolicy(2, 1, Duration.ZERO, 7), 100);
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    transport.receive(message("z9hG4bK-2", 2, ""), tcp);
    transport.receive(message("z9hG4bK-3", 3, ""), tcp);

    assertThat(txs).hasSize(2);
    assertThat(busy()).hasSize(1);
    assertThat(busy().getFirst().header(HeaderName.RETRY_AFTER)).isEqualTo("7");
    assertThat(busy().getFirst().to().tag()).isNotNull();
  }

  @Test
  void byeAndInDialogRequestsAreNeverShed() {
    layer(new OverloadPolicy(1, 0, Duration.ZERO, 5), 100);
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    transport.receive(bye("z9hG4bK-bye"), tcp);
    transport.receive(inDialog("z9hG4bK-dlg"), tcp);

    assertThat(txs).hasSize(3);
    assertThat(busy()).isEmpty();
  }

  @Test
  void sheddingStopsOnlyOnceBelowTheLowWatermark() {
    TransactionLayer l = layer(new OverloadPolicy(2, 0, Duration.ZERO, 5), 100);
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    transport.receive(message("z9hG4bK-2", 2, ""), tcp);
    transport.receive(message("z9hG4bK-3", 3, ""), tcp);
    assertThat(busy()).hasSize(1);
    txs.get(0).respond(SipResponse.forRequest(txs.get(0).request(), 200, "OK").build());
    transport.receive(message("z9hG4bK-4", 4, ""), tcp);
    assertThat(busy()).hasSize(2); // one in flight is still above the low watermark
    txs.get(1).respond(SipResponse.forRequest(txs.get(1).request(), 200, "OK").build());
    assertThat(l.activeTransactions()).isZero();
    transport.receive(message("z9hG4bK-5", 5, ""), tcp);
    assertThat(txs).hasSize(3);
  }

  @Test
  void theHardCapRefusesEvenInDialogRequests() {
    layer(new OverloadPolicy(10, 5, Duration.ZERO, 5), 1);
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    transport.receive(inDialog("z9hG4bK-dlg"), tcp);
    assertThat(txs).hasSize(1);
    assertThat(busy()).hasSize(1);
  }

  @Test
  void oneShortPauseOfTheEventLoopDoesNotShed() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ofMillis(200), 5), 100);
    timers.jump(Duration.ofMillis(400)); // the 100 ms probe fires 300 ms late, once
    timers.advance(Duration.ZERO);
    assertThat(l.eventLoopLagMillis()).isEqualTo(90); // 0.3 * 300
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    assertThat(txs).hasSize(1);
  }

  @Test
  void sustainedLagOnAnIdleNodeIsNotTreatedAsOverload() {
    // GC/JIT pauses or a busy host lag the loop with nothing in flight; shedding would not help.
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ofMillis(200), 5, 10), 100);
    for (int i = 0; i < 5; i++) {
      timers.jump(Duration.ofMillis(600));
      timers.advance(Duration.ZERO);
    }
    assertThat(l.eventLoopLagMillis()).isGreaterThan(200);
    assertThat(l.overloaded()).isFalse();
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    assertThat(txs).hasSize(1);
    assertThat(busy()).isEmpty();
  }

  @Test
  void sustainedEventLoopLagMakesTheNodeShedNewRequestsUntilItRecovers() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ofMillis(200), 5), 100);
    for (int i = 0; i < 5; i++) {
      timers.jump(Duration.ofMillis(600)); // every probe 500 ms late
      timers.advance(Duration.ZERO);
    }
    assertThat(l.eventLoopLagMillis()).isGreaterThan(200);
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    assertThat(busy()).hasSize(1);

    timers.advance(Duration.ofSeconds(2)); // on time again
    assertThat(l.eventLoopLagMillis()).isLessThan(200);
    transport.receive(message("z9hG4bK-2", 2, ""), tcp);
    assertThat(txs).hasSize(1);
  }

  @Test
  void anExternalLoadProbeCanSaturateTheNode() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ZERO, 5), 100);
    boolean[] saturated = {true};
    l.loadProbe(() -> saturated[0]);
    transport.receive(message("z9hG4bK-1", 1, ""), tcp);
    saturated[0] = false;
    transport.receive(message("z9hG4bK-2", 2, ""), tcp);
    assertThat(busy()).hasSize(1);
    assertThat(txs).hasSize(1);
  }

  @Test
  void answeredUdpTransactionsWaitingForTimerJDoNotCountTowardsTheWatermark() {
    // Each answered UDP request stays 32 s to absorb retransmissions; it is no work in flight.
    TransactionLayer l = layer(new OverloadPolicy(2, 1, Duration.ZERO, 5), 3);
    for (int i = 1; i <= 10; i++) {
      transport.receive(message("z9hG4bK-u" + i, i, ""), udp);
      answerAll(200);
    }
    assertThat(busy()).isEmpty();
    assertThat(txs).hasSize(10);
    assertThat(l.activeTransactions()).isEqualTo(10);
    assertThat(l.transactionsInFlight()).isZero();
  }

  @Test
  void udpTransactionsStillAwaitingTheirFinalResponseAreShed() {
    TransactionLayer l = layer(new OverloadPolicy(2, 1, Duration.ZERO, 5), 100);
    transport.receive(message("z9hG4bK-u1", 1, ""), udp);
    answerAll(200);
    transport.receive(message("z9hG4bK-u2", 2, ""), udp);
    transport.receive(message("z9hG4bK-u3", 3, ""), udp);
    txs.get(1).respond(SipResponse.forRequest(txs.get(1).request(), 100, "Trying").build());
    transport.receive(message("z9hG4bK-u4", 4, ""), udp);

    assertThat(l.transactionsInFlight()).isEqualTo(2); // a provisional answer is not a final one
    assertThat(busy()).hasSize(1);
    assertThat(txs).hasSize(3);
  }

  @Test
  void anAcceptedInviteNoLongerCountsAsInFlight() {
    TransactionLayer l = layer(new OverloadPolicy(1, 0, Duration.ZERO, 5), 100);
    transport.receive(io.parley.testing.SipMessages.invite("z9hG4bK-i1"), udp);
    ServerTransaction invite = txs.getFirst();
    invite.respond(SipResponse.forRequest(invite.request(), 200, "OK").toTag("t").build());
    assertThat(l.transactionsInFlight()).isZero();
    transport.receive(message("z9hG4bK-u2", 2, ""), udp);
    assertThat(busy()).isEmpty();
  }

  @Test
  void beyondTheCompletedCapTheOldestFinishedTransactionStopsAbsorbingRetransmissions() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ZERO, 5), 100, 2);
    for (int i = 1; i <= 3; i++) {
      transport.receive(message("z9hG4bK-u" + i, i, ""), udp);
      answerAll(200);
    }
    assertThat(l.activeTransactions()).isEqualTo(2);

    transport.receive(message("z9hG4bK-u3", 3, ""), udp); // still absorbed: answered again
    assertThat(txs).hasSize(3);
    transport.receive(message("z9hG4bK-u1", 1, ""), udp); // evicted: a new request for the TU
    assertThat(txs).hasSize(4);
  }

  @Test
  void finishedUdpTransactionsEndAfterTimerJWithOneSharedTimer() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ZERO, 5), 100);
    transport.receive(message("z9hG4bK-u1", 1, ""), udp);
    answerAll(200);
    timers.advance(Duration.ofSeconds(10));
    transport.receive(message("z9hG4bK-u2", 2, ""), udp);
    answerAll(200);
    assertThat(timers.pending()).isEqualTo(1);

    timers.advance(Duration.ofMillis(21_999));
    assertThat(l.activeTransactions()).isEqualTo(2);
    timers.advance(Duration.ofMillis(1));
    assertThat(l.activeTransactions()).isEqualTo(1);
    timers.advance(Duration.ofMillis(9_999));
    assertThat(l.activeTransactions()).isEqualTo(1);
    timers.advance(Duration.ofMillis(1));
    assertThat(l.activeTransactions()).isZero();
    assertThat(timers.pending()).isZero();
  }

  @Test
  void sheddingEndsAsSoonAsTheRelayedRequestsOfAnOverloadAreAnswered() {
    // A proxy: every request is relayed in a client transaction and answered when the relay is.
    TransactionLayer l =
        new TransactionLayer(
            transport,
            timers,
            TransactionOptions.defaults()
                .withOverload(new OverloadPolicy(4, 1, Duration.ZERO, 5))
                .withMaxTransactions(100));
    l.transactionUser(
        (request, tx) -> {
          txs.add(tx);
          l.sendRequest(
              request,
              udp,
              response -> {
                if (response.statusCode() >= 200) {
                  tx.respond(SipResponse.forRequest(request, 200, "OK").toTag("b").build());
                }
              });
        });
    for (int i = 1; i <= 3; i++) { // two relays in flight are 4 transactions: the third is shed
      transport.receive(message("z9hG4bK-u" + i, i, ""), udp);
    }
    assertThat(busy()).hasSize(1);

    for (SipRequest relayed : transport.sentRequests()) {
      transport.receive(SipResponse.forRequest(relayed, 200, "OK").toTag("b").build(), udp);
    }
    transport.receive(message("z9hG4bK-u5", 5, ""), udp);

    // Answered relays wait for timer K (5 s) to absorb retransmitted responses: no work in flight.
    assertThat(l.transactionsInFlight()).isEqualTo(2); // the new request and its relay
    assertThat(busy()).hasSize(1);
    assertThat(txs).hasSize(3);
  }

  private static SipRequest register(String branch, long cseq) {
    return request(
        "REGISTER sip:example.test SIP/2.0\n"
            + "Via: SIP/2.0/TCP 192.0.2.10:5060;branch="
            + branch
            + "\n"
            + "From: <sip:alice@example.test>;tag=r1\n"
            + "To: <sip:alice@example.test>\n"
            + "Call-ID: reg1\n"
            + "CSeq: "
            + cseq
            + " REGISTER\n"
            + "Content-Length: 0\n\n");
  }

  private void lagTheLoop() {
    for (int i = 0; i < 5; i++) {
      timers.jump(Duration.ofMillis(600));
      timers.advance(Duration.ZERO);
    }
  }

  @Test
  void underEventLoopLagTheSignInOnANewConnectionIsStillServed() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ofMillis(200), 5), 100);
    lagTheLoop();
    assertThat(l.eventLoopLagMillis()).isGreaterThan(200);

    transport.receive(register("z9hG4bK-r1", 1), tcp); // challenged ...
    transport.receive(register("z9hG4bK-r2", 2), tcp); // ... and retried with credentials

    assertThat(txs).hasSize(2);
    assertThat(busy()).isEmpty();
  }

  @Test
  void underEventLoopLagRefreshesOnTheConnectionAreServedButOtherRequestsShed() {
    TransactionLayer l = layer(new OverloadPolicy(100, 50, Duration.ofMillis(200), 5), 100);
    lagTheLoop();
    transport.receive(register("z9hG4bK-r1", 1), tcp);
    transport.receive(register("z9hG4bK-r2", 2), tcp);

    transport.receive(register("z9hG4bK-r3", 3), tcp); // a refresh, minutes later
    transport.receive(message("z9hG4bK-m1", 4, ""), tcp);

    assertThat(l.overloaded()).isTrue();
    assertThat(txs).hasSize(3);
    assertThat(busy()).hasSize(1);
    assertThat(busy().get(0).cseq().method()).isEqualTo("MESSAGE");
  }

  @Test
  void underEventLoopLagARegisterOverUdpIsShed() {
    layer(new OverloadPolicy(100, 50, Duration.ofMillis(200), 5), 100);
    lagTheLoop();

    transport.receive(register("z9hG4bK-u1", 1), udp);

    assertThat(busy()).hasSize(1);
  }

  @Test
  void theWatermarkShedsEvenASignInOnANewConnection() {
    layer(new OverloadPolicy(1, 0, Duration.ZERO, 5), 100);
    transport.receive(message("z9hG4bK-u1", 1, ""), udp);

    transport.receive(register("z9hG4bK-r1", 1), tcp);

    assertThat(busy()).hasSize(1);
  }
}
