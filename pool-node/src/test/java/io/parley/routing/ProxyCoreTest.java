package io.parley.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.registrar.Binding;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.registrar.LocationStore;
import io.parley.registrar.RegistrationChange;
import io.parley.routing.RoutingTestTransport.Sent;
import io.parley.sip.message.HeaderName;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.SipUri;
import io.parley.sip.message.Via;
import io.parley.sip.transaction.OverloadPolicy;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transaction.TransactionState;
import io.parley.sip.transaction.TransactionUser;
import io.parley.sip.transport.Flow;
import io.parley.testing.FakeSipTimers;
import io.parley.testing.SipMessages;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyCoreTest {

  private static final String BOB = "sip:bob@example.test";

  private final RoutingTestTransport transport = new RoutingTestTransport();
  private final FakeSipTimers timers = new FakeSipTimers();
  private final InMemoryLocationStore store = new InMemoryLocationStore();
  private final List<String> knownUsers = new ArrayList<>(List.of(BOB, "sip:dave@example.test"));
  private final Flow alice = RoutingTestTransport.udp("192.0.2.10", 5060);
  private final Flow bobTcp = RoutingTestTransport.tcp("tcp-7", "192.0.2.20", 40001);
  private @Nullable String authenticatedAor = "sip:alice@example.test";
  private boolean knownUsersFail;
  private @Nullable Promise<List<Binding>> lookupOverride;
  private ProxyCore proxy;

  @BeforeEach
  void setUp() {
    TransactionLayer layer =
        new TransactionLayer(
            transport,
            timers,
            TransactionOptions.defaults()
                .withOverload(new OverloadPolicy(1_000, 900, Duration.ZERO, 5)));
    proxy =
        new ProxyCore(
            layer,
            transport,
            timers,
            new SlowableStore(),
            Set.of("Example.Test"),
            ProxyIdentity.of("node-1"),
            aor ->
                knownUsersFail
                    ? Future.failedFuture("database down")
                    : Future.succeededFuture(knownUsers.contains(aor)));
    layer.transactionUser(
        new TransactionUser() {
          @Override
          public void onRequest(SipRequest request, ServerTransaction tx) {
            // What the dispatcher does: out-of-dialog requests are authenticated, in-dialog not.
            proxy.onRequest(
                tx, request, tx.flow(), request.to().tag() == null ? authenticatedAor : null);
          }

          @Override
          public void onAck(SipRequest ack, Flow flow) {
            proxy.onAck2xx(ack, flow);
          }

          @Override
          public void onCancel(
              ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {
            proxy.onCancel(cancelTx, cancel, invite);
          }
        });
    transport.open(bobTcp);
  }

  // ------------------------------------------------------------ helpers

  /** The in-memory store, whose next lookup can be held back by the test. */
  private final class SlowableStore implements LocationStore {
    @Override
    public Future<List<Binding>> lookup(String aor) {
      Promise<List<Binding>> held = lookupOverride;
      lookupOverride = null;
      return held != null ? held.future() : store.lookup(aor);
    }

    @Override
    public Future<List<Binding>> apply(String aor, RegistrationChange change) {
      return store.apply(aor, change);
    }

    @Override
    public Future<Void> removeFlow(String flowId) {
      return store.removeFlow(flowId);
    }

    @Override
    public Future<@Nullable Binding> findByContact(String contactUri) {
      return store.findByContact(contactUri);
    }

    @Override
    public Future<Integer> purgeExpired(Instant now) {
      return store.purgeExpired(now);
    }
  }

  private long registerCseq;

  private void register(String aor, String contact, Flow flow) {
    Instant now = Instant.now();
    long cseq = ++registerCseq;
    Binding b =
        new Binding(
            aor,
            contact,
            null,
            -1,
            flow.id(),
            "node-1",
            flow.transport().name(),
            flow.remoteHost(),
            flow.remotePort(),
            "reg-" + contact,
            cseq,
            1.0f,
            now.plusSeconds(3600),
            now);
    store
        .apply(
            aor,
            new RegistrationChange.Update("reg-" + contact, cseq, now, List.of(b), List.of(), 10))
        .await();
  }

  private void registerBobTwice() {
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", bobTcp);
    register(BOB, "sip:bob@192.0.2.30:5062", RoutingTestTransport.udp("192.0.2.30", 5062));
  }

  private static SipRequest message(String to, int maxForwards) {
    return message(to, maxForwards, "1");
  }

  private static SipRequest message(String to, int maxForwards, String id) {
    return SipMessages.request(
        "MESSAGE "
            + to
            + " SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKmsg"
            + id
            + "\n"
            + "Max-Forwards: "
            + maxForwards
            + "\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <"
            + to
            + ">\n"
            + "Call-ID: msg-"
            + id
            + "@192.0.2.10\n"
            + "CSeq: 1 MESSAGE\n"
            + "Content-Type: text/plain\n"
            + "Content-Length: 2\n\nhi");
  }

  private static SipRequest cancel() {
    return SipMessages.request(
        "CANCEL sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKinv1\n"
            + "Max-Forwards: 70\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>\n"
            + "Call-ID: inv-1@192.0.2.10\n"
            + "CSeq: 1 CANCEL\n"
            + "Content-Length: 0\n\n");
  }

  private static SipResponse answer(Sent s, int code, String reason, String tag) {
    return SipResponse.forRequest((SipRequest) s.message(), code, reason).toTag(tag).build();
  }

  private Sent sentTo(String method, String flowId) {
    return transport.requests(method).stream()
        .filter(s -> s.flow().id().equals(flowId))
        .findFirst()
        .orElseThrow(() -> new AssertionError(method + " not sent on " + flowId));
  }

  private List<Integer> codesToAlice() {
    return transport.responsesOn(alice).stream().map(SipResponse::statusCode).toList();
  }

  // ------------------------------------------------------------ forking, page-mode MESSAGE

  @Test
  void messageIsForkedToEveryBindingOverItsOwnFlowAndTheFirst2xxWins() {
    registerBobTwice();
    transport.receive(message(BOB, 70), alice);

    Sent overTcp = sentTo("MESSAGE", "tcp-7");
    Sent overUdp = sentTo("MESSAGE", "udp-192.0.2.30:5062");
    SipRequest tcpCopy = (SipRequest) overTcp.message();
    assertThat(tcpCopy.requestUri().toString()).isEqualTo("sip:bob@192.0.2.20:40001;transport=tcp");
    assertThat(((SipRequest) overUdp.message()).requestUri().toString())
        .isEqualTo("sip:bob@192.0.2.30:5062");
    assertThat(tcpCopy.maxForwards()).isEqualTo(69);
    assertThat(tcpCopy.vias()).hasSize(2);
    assertThat(tcpCopy.topVia().host()).isEqualTo(RoutingTestTransport.OUR_HOST);
    assertThat(tcpCopy.recordRoutes()).as("page mode is not record-routed").isEmpty();
    assertThat(tcpCopy.body()).isEqualTo("hi".getBytes());

    transport.receive(answer(overUdp, 200, "OK", "b2"), overUdp.flow());
    transport.receive(answer(overTcp, 200, "OK", "b1"), overTcp.flow());

    List<SipResponse> toAlice = transport.responsesOn(alice);
    assertThat(toAlice).extracting(SipResponse::statusCode).containsExactly(200);
    assertThat(toAlice.getFirst().to().tag()).isEqualTo("b2");
    assertThat(toAlice.getFirst().vias())
        .as("our Via popped")
        .extracting(Via::host)
        .containsExactly("192.0.2.10");
    assertThat(transport.requests("CANCEL")).isEmpty();
  }

  @Test
  void unknownUserWithoutBindingsGets404AndKnownUserGets480() {
    transport.receive(message("sip:nobody@example.test", 70), alice);
    transport.receive(message("sip:dave@example.test", 70, "2"), alice);

    assertThat(codesToAlice()).containsExactly(404, 480);
    assertThat(transport.requests("MESSAGE")).isEmpty();
  }

  @Test
  void bindingWhoseConnectionClosedCountsAsUnavailable() {
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", bobTcp);
    transport.close(bobTcp);

    transport.receive(message(BOB, 70), alice);

    assertThat(codesToAlice()).containsExactly(480);
  }

  @Test
  void whenEveryBranchFailsTheBestResponseIsReturned() {
    registerBobTwice();
    transport.receive(message(BOB, 70), alice);
    Sent overTcp = sentTo("MESSAGE", "tcp-7");
    Sent overUdp = sentTo("MESSAGE", "udp-192.0.2.30:5062");

    transport.receive(answer(overTcp, 500, "Server Error", "b1"), overTcp.flow());
    assertThat(codesToAlice()).as("waits for every branch").isEmpty();
    transport.receive(answer(overUdp, 486, "Busy Here", "b2"), overUdp.flow());

    assertThat(codesToAlice()).containsExactly(486);
  }

  @Test
  void unansweredBranchTimesOutAs408Upstream() {
    register(BOB, "sip:bob@192.0.2.30:5062", RoutingTestTransport.udp("192.0.2.30", 5062));
    transport.receive(message(BOB, 70), alice);
    assertThat(transport.requests("MESSAGE")).isNotEmpty();

    timers.advance(Duration.ofSeconds(33));

    assertThat(codesToAlice()).containsExactly(408);
  }

  @Test
  void anUnreachableDirectoryMakesAnUnregisteredUserTemporarilyUnavailable() {
    // The database is down: "not now" (480), never "no such user" (404) nor a 500.
    knownUsersFail = true;
    transport.receive(message("sip:nobody@example.test", 70), alice);

    assertThat(codesToAlice()).containsExactly(480);
  }

  @Test
  void cancelWhileTheLocationLookupIsPendingStopsTheFork() {
    registerBobTwice();
    Promise<List<Binding>> slow = Promise.promise();
    lookupOverride = slow;
    transport.receive(invite(), alice);
    transport.receive(cancel(), alice);
    assertThat(codesToAlice()).containsExactly(100, 200, 487);

    slow.complete(store.lookup(BOB).result());

    assertThat(transport.requests("INVITE")).isEmpty();
    assertThat(codesToAlice()).containsExactly(100, 200, 487);
  }

  @Test
  void unmatchedCancelHandedToOnRequestGets481() {
    List<SipResponse> answers = new ArrayList<>();
    ServerTransaction tx =
        new ServerTransaction() {
          @Override
          public String id() {
            return "s-test";
          }

          @Override
          public SipRequest request() {
            return cancel();
          }

          @Override
          public Flow flow() {
            return alice;
          }

          @Override
          public boolean isInvite() {
            return false;
          }

          @Override
          public TransactionState state() {
            return answers.isEmpty() ? TransactionState.TRYING : TransactionState.COMPLETED;
          }

          @Override
          public Future<Void> respond(SipResponse response) {
            answers.add(response);
            return Future.succeededFuture();
          }

          @Override
          public @Nullable SipResponse lastResponse() {
            return answers.isEmpty() ? null : answers.getLast();
          }
        };

    proxy.onRequest(tx, cancel(), alice, null);

    assertThat(answers).extracting(SipResponse::statusCode).containsExactly(481);
  }

  // ------------------------------------------------------------ loops and hops

  @Test
  void maxForwardsZeroGets483() {
    registerBobTwice();
    transport.receive(message(BOB, 0), alice);

    assertThat(codesToAlice()).containsExactly(483);
    assertThat(transport.requests("MESSAGE")).isEmpty();
  }

  @Test
  void spiralIsForwardedButALoopBackToUsGets482() {
    // Carol's contact points at the proxy itself: the request spirals once, then loops.
    Flow self = RoutingTestTransport.udp(RoutingTestTransport.OUR_HOST, 5060);
    register("sip:carol@example.test", "sip:carol@192.0.2.1:5060", self);
    transport.receive(message("sip:carol@example.test", 70), alice);
    SipRequest first = (SipRequest) transport.requests("MESSAGE").getLast().message();

    transport.receive(first, self); // Request-URI changed: a spiral, forwarded again
    assertThat(transport.requests("MESSAGE")).hasSize(2);
    SipRequest second = (SipRequest) transport.requests("MESSAGE").getLast().message();
    assertThat(second.maxForwards()).isEqualTo(68);

    transport.receive(second, self); // same request again: a loop

    assertThat(transport.requests("MESSAGE")).hasSize(2);
    assertThat(transport.responsesOn(self))
        .extracting(SipResponse::statusCode)
        .containsExactly(482);
  }

  @Test
  void foreignDomainIsForwardedOnlyToIpLiteralsAndOnlyForAuthenticatedSenders() {
    transport.receive(message("sip:x@198.51.100.7:5070", 70), alice);
    assertThat(sentTo("MESSAGE", "udp-198.51.100.7:5070")).isNotNull();

    transport.receive(message("sip:x@other.test", 70, "2"), alice);
    authenticatedAor = null;
    transport.receive(message("sip:x@198.51.100.7:5070", 70, "3"), alice);

    assertThat(codesToAlice()).containsExactly(404, 403);
  }

  // ------------------------------------------------------------ INVITE sessions

  private SipRequest invite() {
    return SipMessages.invite("z9hG4bKinv1");
  }

  @Test
  void inviteForwardsProvisionalsAndFirst2xxCancelsTheOtherBranch() {
    registerBobTwice();
    transport.receive(invite(), alice);
    Sent overTcp = sentTo("INVITE", "tcp-7");
    Sent overUdp = sentTo("INVITE", "udp-192.0.2.30:5062");

    transport.receive(answer(overTcp, 180, "Ringing", "b1"), overTcp.flow());
    transport.receive(answer(overUdp, 180, "Ringing", "b2"), overUdp.flow());
    transport.receive(answer(overTcp, 200, "OK", "b1"), overTcp.flow());

    assertThat(codesToAlice()).containsExactly(100, 180, 180, 200);
    List<Sent> cancels = transport.requests("CANCEL");
    assertThat(cancels).hasSize(1);
    assertThat(cancels.getFirst().flow().id()).isEqualTo("udp-192.0.2.30:5062");
    assertThat(((SipRequest) cancels.getFirst().message()).topVia().branch())
        .isEqualTo(((SipRequest) overUdp.message()).topVia().branch());

    // A second 2xx (the other device answered too) is forwarded as well (§16.7 step 4).
    transport.receive(answer(overUdp, 200, "OK", "b2"), overUdp.flow());
    assertThat(codesToAlice()).containsExactly(100, 180, 180, 200, 200);
  }

  @Test
  void sixHundredDeclineWinsOverOtherFailures() {
    registerBobTwice();
    transport.receive(invite(), alice);
    Sent overTcp = sentTo("INVITE", "tcp-7");
    Sent overUdp = sentTo("INVITE", "udp-192.0.2.30:5062");

    transport.receive(answer(overUdp, 486, "Busy Here", "b2"), overUdp.flow());
    transport.receive(answer(overTcp, 603, "Decline", "b1"), overTcp.flow());

    assertThat(codesToAlice()).containsExactly(100, 603);
  }

  @Test
  void callerCancelGets200And487AndPendingBranchesAreCancelledOnceTheyRang() {
    registerBobTwice();
    transport.receive(invite(), alice);
    Sent overTcp = sentTo("INVITE", "tcp-7");
    Sent overUdp = sentTo("INVITE", "udp-192.0.2.30:5062");
    transport.receive(answer(overTcp, 180, "Ringing", "b1"), overTcp.flow());

    transport.receive(cancel(), alice);

    List<SipResponse> toAlice = transport.responsesOn(alice);
    assertThat(toAlice)
        .filteredOn(r -> r.cseq().method().equals("CANCEL"))
        .extracting(SipResponse::statusCode)
        .containsExactly(200);
    assertThat(toAlice)
        .filteredOn(r -> r.statusCode() >= 200 && r.cseq().method().equals("INVITE"))
        .extracting(SipResponse::statusCode)
        .containsExactly(487);
    assertThat(transport.requests("CANCEL"))
        .extracting(s -> s.flow().id())
        .as("no CANCEL before a provisional (RFC 3261 §9.1)")
        .containsExactly("tcp-7");

    transport.receive(answer(overUdp, 180, "Ringing", "b2"), overUdp.flow());
    assertThat(transport.requests("CANCEL"))
        .extracting(s -> s.flow().id())
        .containsExactly("tcp-7", "udp-192.0.2.30:5062");
    transport.receive(answer(overTcp, 487, "Request Terminated", "b1"), overTcp.flow());
    assertThat(codesToAlice()).as("nothing more after the 487").containsExactly(100, 180, 200, 487);
  }

  @Test
  void ringingBranchIsCancelledByTimerCAndTheCallerGets408() {
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", bobTcp);
    transport.receive(invite(), alice);
    Sent overTcp = sentTo("INVITE", "tcp-7");
    transport.receive(answer(overTcp, 180, "Ringing", "b1"), overTcp.flow());

    timers.advance(ProxyCore.TIMER_C.plusSeconds(1));

    assertThat(transport.requests("CANCEL")).hasSize(1);
    // (the 408 is retransmitted over UDP until Alice ACKs it)
    assertThat(codesToAlice().stream().distinct()).containsExactly(100, 180, 408);
  }

  /**
   * Sets up an answered call Alice (UDP) → Bob (TCP binding); returns the 200 Alice got. Bob's
   * Contact is SIPE-like and unroutable, so in-dialog requests can only reach him by flow token.
   */
  private SipResponse establishedCall() {
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", bobTcp);
    transport.receive(invite(), alice);
    Sent overTcp = sentTo("INVITE", "tcp-7");
    SipRequest forwarded = (SipRequest) overTcp.message();
    SipResponse.Builder ok =
        SipResponse.forRequest(forwarded, 200, "OK")
            .toTag("b1")
            .add(HeaderName.CONTACT, "<sip:bob@example.test;opaque=user:epid:xyz;gruu>");
    for (String rr : forwarded.headerValues(HeaderName.RECORD_ROUTE)) {
      ok.add(HeaderName.RECORD_ROUTE, rr);
    }
    transport.receive(ok.build(), bobTcp);
    SipResponse toAlice = transport.responsesOn(alice).getLast();
    assertThat(toAlice.statusCode()).isEqualTo(200);
    transport.clear();
    return toAlice;
  }

  @Test
  void inviteIsDoubleRecordRoutedWithLooseRouteFlowTokens() {
    SipResponse ok = establishedCall();

    List<NameAddr> rr = ok.recordRoutes();
    assertThat(rr).hasSize(2);
    for (NameAddr r : rr) {
      SipUri u = (SipUri) r.uri();
      assertThat(u.lr()).isTrue();
      assertThat(u.host()).isEqualTo(RoutingTestTransport.OUR_HOST);
      assertThat(u.user()).startsWith("pf.");
    }
    assertThat(((SipUri) rr.get(0).uri()).transport()).as("facing Bob").isEqualTo("tcp");
    assertThat(((SipUri) rr.get(1).uri()).transport()).as("facing Alice").isEqualTo("udp");
  }

  @Test
  void inDialogByeIsRoutedByFlowTokenInBothDirections() {
    SipResponse ok = establishedCall();
    List<String> rr = ok.headerValues(HeaderName.RECORD_ROUTE);

    // Bob's route set is the Record-Route list as received; his Request-URI is Alice's Contact.
    SipRequest byeFromBob =
        SipMessages.request(
            "BYE sip:alice@192.0.2.10 SIP/2.0\n"
                + "Via: SIP/2.0/tcp 192.0.2.20:40001\n"
                + "Route: "
                + rr.get(0)
                + ", "
                + rr.get(1)
                + "\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:bob@example.test>;tag=b1\n"
                + "To: <sip:alice@example.test>;tag=a1\n"
                + "Call-ID: inv-1@192.0.2.10\n"
                + "CSeq: 1 BYE\n"
                + "Content-Length: 0\n\n");
    transport.receive(byeFromBob, bobTcp);
    SipRequest atAlice = (SipRequest) sentTo("BYE", alice.id()).message();
    assertThat(atAlice.routes()).isEmpty();
    assertThat(atAlice.requestUri().toString()).isEqualTo("sip:alice@192.0.2.10");
    assertThat(atAlice.vias()).hasSize(2);

    // Alice's route set is reversed; her Request-URI is Bob's (unroutable) Contact.
    SipRequest byeFromAlice =
        SipMessages.request(
            "BYE sip:bob@example.test;opaque=user:epid:xyz;gruu SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKbye2\n"
                + "Route: "
                + rr.get(1)
                + "\n"
                + "Route: "
                + rr.get(0)
                + "\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>;tag=b1\n"
                + "Call-ID: inv-1@192.0.2.10\n"
                + "CSeq: 2 BYE\n"
                + "Content-Length: 0\n\n");
    transport.receive(byeFromAlice, alice);
    Sent atBob = sentTo("BYE", "tcp-7");
    assertThat(((SipRequest) atBob.message()).routes()).isEmpty();

    transport.receive(answer(atBob, 200, "OK", "b1"), bobTcp);
    assertThat(transport.responsesOn(alice))
        .filteredOn(r -> r.cseq().method().equals("BYE"))
        .extracting(SipResponse::statusCode)
        .containsExactly(200);
  }

  @Test
  void whenTheTokenConnectionClosedTheRequestFollowsTheReRegisteredContact() {
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", bobTcp);
    transport.receive(invite(), alice);
    SipRequest forwarded = (SipRequest) sentTo("INVITE", "tcp-7").message();
    List<String> rr = forwarded.headerValues(HeaderName.RECORD_ROUTE);
    // Bob's client reconnects: the old connection is gone, the binding now names the new one.
    transport.close(bobTcp);
    Flow newFlow = RoutingTestTransport.tcp("tcp-8", "192.0.2.20", 40002);
    transport.open(newFlow);
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", newFlow);

    SipRequest bye =
        SipMessages.request(
            "BYE sip:bob@192.0.2.20:40001;transport=tcp SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKbye3\n"
                + "Route: "
                + rr.get(1)
                + ", "
                + rr.get(0)
                + "\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>;tag=b1\n"
                + "Call-ID: inv-1@192.0.2.10\n"
                + "CSeq: 2 BYE\n"
                + "Content-Length: 0\n\n");
    transport.receive(bye, alice);

    assertThat(sentTo("BYE", "tcp-8")).isNotNull();
  }

  @Test
  void reInviteIsRoutedWithoutNewRecordRouteAndItsCancelKeepsTheDialogTag() {
    SipResponse ok = establishedCall();
    List<String> rr = ok.headerValues(HeaderName.RECORD_ROUTE);
    String dialog =
        "Max-Forwards: 70\n"
            + "From: <sip:alice@example.test>;tag=a1\n"
            + "To: <sip:bob@example.test>;tag=b1\n"
            + "Call-ID: inv-1@192.0.2.10\n";
    SipRequest reInvite =
        SipMessages.request(
            "INVITE sip:bob@example.test;opaque=user:epid:xyz;gruu SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreinv\n"
                + "Route: "
                + rr.get(1)
                + ", "
                + rr.get(0)
                + "\n"
                + dialog
                + "CSeq: 2 INVITE\n"
                + "Content-Length: 0\n\n");
    transport.receive(reInvite, alice);
    Sent atBob = sentTo("INVITE", "tcp-7");
    assertThat(((SipRequest) atBob.message()).recordRoutes()).isEmpty();
    transport.receive(answer(atBob, 180, "Ringing", "b1"), bobTcp);

    transport.receive(
        SipMessages.request(
            "CANCEL sip:bob@example.test;opaque=user:epid:xyz;gruu SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKreinv\n"
                + "Route: "
                + rr.get(1)
                + ", "
                + rr.get(0)
                + "\n"
                + dialog
                + "CSeq: 2 CANCEL\n"
                + "Content-Length: 0\n\n"),
        alice);

    assertThat(transport.responsesOn(alice))
        .filteredOn(r -> r.statusCode() >= 200)
        .extracting(r -> r.statusCode() + " " + r.to().tag())
        .containsExactly("200 b1", "487 b1");
    assertThat(transport.requests("CANCEL"))
        .extracting(s -> s.flow().id())
        .containsExactly("tcp-7");
  }

  @Test
  void strictRoutingPreviousHopIsHandled() {
    SipResponse ok = establishedCall();
    List<NameAddr> rr = ok.recordRoutes();
    // A strict router puts the first route into the Request-URI and the remote target last.
    SipRequest strict =
        SipMessages.request(
            "INFO "
                + rr.get(1).uri()
                + " SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKinfo\n"
                + "Route: "
                + rr.get(0)
                + ", <sip:bob@example.test;opaque=user:epid:xyz;gruu>\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>;tag=b1\n"
                + "Call-ID: inv-1@192.0.2.10\n"
                + "CSeq: 3 INFO\n"
                + "Content-Length: 0\n\n");

    transport.receive(strict, alice);

    SipRequest atBob = (SipRequest) sentTo("INFO", "tcp-7").message();
    assertThat(atBob.requestUri().toString())
        .isEqualTo("sip:bob@example.test;opaque=user:epid:xyz;gruu");
    assertThat(atBob.routes()).isEmpty();
  }

  @Test
  void ackFor2xxIsForwardedStatelesslyAlongTheTokenRoute() {
    SipResponse ok = establishedCall();
    List<String> rr = ok.headerValues(HeaderName.RECORD_ROUTE);
    SipRequest ack =
        SipMessages.request(
            "ACK sip:bob@example.test;opaque=user:epid:xyz;gruu SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKack1\n"
                + "Route: "
                + rr.get(1)
                + ", "
                + rr.get(0)
                + "\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>;tag=b1\n"
                + "Call-ID: inv-1@192.0.2.10\n"
                + "CSeq: 1 ACK\n"
                + "Content-Length: 0\n\n");

    transport.receive(ack, alice);
    transport.receive(ack, alice); // a retransmission keeps its branch

    List<Sent> acks = transport.requests("ACK");
    assertThat(acks).extracting(s -> s.flow().id()).containsExactly("tcp-7", "tcp-7");
    SipRequest first = (SipRequest) acks.get(0).message();
    assertThat(first.routes()).isEmpty();
    assertThat(first.maxForwards()).isEqualTo(69);
    assertThat(first.topVia().host()).isEqualTo(RoutingTestTransport.OUR_HOST);
    assertThat(first.topVia().branch())
        .isEqualTo(((SipRequest) acks.get(1).message()).topVia().branch());
  }

  @Test
  void forgedFlowTokenIsNotFollowed() {
    register(BOB, "sip:bob@192.0.2.20:40001;transport=tcp", bobTcp);
    FlowTokens other = new FlowTokens(); // another key: what a forger could produce
    String forged = other.encode(Hop.of(bobTcp));
    SipRequest bye =
        SipMessages.request(
            "BYE sip:mallory@203.0.113.9 SIP/2.0\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKbye9\n"
                + "Route: <sip:"
                + forged
                + "@192.0.2.1:5060;lr>\n"
                + "Max-Forwards: 70\n"
                + "From: <sip:alice@example.test>;tag=a1\n"
                + "To: <sip:bob@example.test>;tag=b1\n"
                + "Call-ID: forged@192.0.2.10\n"
                + "CSeq: 2 BYE\n"
                + "Content-Length: 0\n\n");

    transport.receive(bye, alice);

    assertThat(transport.requests("BYE")).isEmpty();
    assertThat(codesToAlice()).containsExactly(403);
  }
}
