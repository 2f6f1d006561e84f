package io.parley.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.testing.ClientDigest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import javax.sip.header.ContactHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The full node as users meet it: JAIN-SIP RI user agents register with Digest, chat page-mode,
 * hold an INVITE session through the proxy, and hit the error paths, over UDP, TCP and TLS.
 */
@Timeout(30)
class FullNodeIT {

  private static final Duration NONCE_LIFETIME = Duration.ofSeconds(2);

  @TempDir static Path dir;
  private static E2eNode node;
  private final List<SipUa> uas = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    node =
        E2eNode.start(
            dir,
            List.of(
                new String[] {"alice", "alice-secret"},
                new String[] {"bob", "bob-secret"},
                new String[] {"dave", "dave-secret"}),
            NONCE_LIFETIME);
  }

  @AfterAll
  static void stop() throws Exception {
    SipUa.awaitStopped();
    if (node != null) {
      node.close();
    }
  }

  /** Every UA unregisters and stops, so each test starts with no bindings. */
  @AfterEach
  void closeUas() throws Exception {
    for (SipUa ua : uas) {
      ua.close();
    }
    for (String user : List.of("alice", "bob", "dave")) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(node.bindings(user)).isEmpty());
    }
  }

  private SipUa ua(String user, String transport) throws Exception {
    SipUa ua = new SipUa(node, user, user + "-secret", transport);
    uas.add(ua);
    return ua;
  }

  private SipUa registered(String user, String transport) throws Exception {
    SipUa ua = ua(user, transport);
    assertThat(ua.register(600).getStatusCode()).isEqualTo(200);
    return ua;
  }

  // ---- 1. registration ----

  @ParameterizedTest
  @ValueSource(strings = {"udp", "tcp", "tls"})
  void aliceAndBobRegisterWithDigest(String transport) throws Exception {
    for (String user : List.of("alice", "bob")) {
      SipUa ua = ua(user, transport);
      Request first = ua.newRegister(600, false);
      Response challenge = ua.call(first);
      assertThat(challenge.getStatusCode()).isEqualTo(401);
      List<String> offered = SipUa.challenges(challenge);
      assertThat(offered).hasSize(2);
      assertThat(offered.stream().map(c -> ClientDigest.params(c).get("algorithm")))
          .containsExactly("MD5", "SHA-256");
      assertThat(offered)
          .allSatisfy(
              c -> assertThat(ClientDigest.params(c)).containsEntry("realm", "example.test"));

      Response ok = ua.call(ua.withCredentials(first, challenge, user, user + "-secret", 1));

      assertThat(ok.getStatusCode()).isEqualTo(200);
      ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
      assertThat(contact.getAddress().getURI().toString()).isEqualTo(ua.contact());
      assertThat(contact.getExpires()).isEqualTo(600);
      assertThat(node.bindings(user))
          .singleElement()
          .satisfies(b -> assertThat(b.transport()).isEqualToIgnoringCase(transport));
      ua.register(0);
      assertThat(node.bindings(user)).isEmpty();
    }
  }

  @Test
  void registerWithTheSha256ChallengeIsAcceptedToo() throws Exception {
    SipUa ua = ua("alice", "udp");
    Request first = ua.newRegister(600, false);
    Response challenge = ua.call(first);
    String sha = SipUa.challenges(challenge).get(1);
    assertThat(sha).contains("SHA-256");
    Request retry =
        ua.withHeader(
            first,
            "Authorization",
            ClientDigest.answer(
                sha, "alice", "alice-secret", "REGISTER", first.getRequestURI().toString(), 1));
    assertThat(ua.call(retry).getStatusCode()).isEqualTo(200);
    ua.register(0);
  }

  // ---- 2. page-mode MESSAGE ----

  @Test
  void messageOverUdpIsChallengedThenDeliveredIntact() throws Exception {
    SipUa bob = registered("bob", "udp");
    SipUa alice = ua("alice", "udp");
    String text = "Hi Bob, ünïcödé ✓ over UDP";
    Request message = alice.newRequest(Request.MESSAGE, bob.aor(), "alice", text);

    Response challenge = alice.call(message);
    assertThat(challenge.getStatusCode()).isEqualTo(407);
    assertThat(SipUa.challenges(challenge)).hasSize(2);
    Response ok = alice.call(alice.withCredentials(message, challenge, "alice", "alice-secret", 1));

    assertThat(ok.getStatusCode()).isEqualTo(200);
    Request got = bob.awaitRequest(Request.MESSAGE, text);
    assertThat(got.getHeader("Content-Type").toString()).contains("text/plain");
    assertThat(got.getHeader("From").toString()).contains("sip:alice@example.test");
  }

  @Test
  void messageOnARegisteredTcpConnectionIsNotChallenged() throws Exception {
    SipUa bob = registered("bob", "tcp");
    SipUa alice = registered("alice", "tcp");
    String text = "no challenge needed on my own connection";

    Request message = alice.newRequest(Request.MESSAGE, bob.aor(), "alice", text);
    Response ok = alice.call(message);

    assertThat(ok.getStatusCode()).isEqualTo(200);
    assertThat(alice.responsesTo(message)).noneMatch(r -> r.getStatusCode() == 407);
    bob.awaitRequest(Request.MESSAGE, text);
  }

  @Test
  void messageForksToBothOfBobsDevicesAndAliceGetsExactlyOneAnswer() throws Exception {
    SipUa bobDesk = registered("bob", "udp");
    SipUa bobLaptop = registered("bob", "tcp");
    assertThat(node.bindings("bob")).hasSize(2);
    String text = "to every device";

    try (RawUdpUa alice = new RawUdpUa(node.port("udp"))) {
      String target = "sip:bob@example.test";
      String first = alice.message("alice", target, "fork-1", 1, text, null);
      alice.send(first);
      String challenge = alice.receive(5000);
      assertThat(challenge).isNotNull();
      assertThat(RawUdpUa.status(challenge)).isEqualTo(407);
      String credentials =
          ClientDigest.answer(
              RawUdpUa.header(challenge, "Proxy-Authenticate"),
              "alice",
              "alice-secret",
              "MESSAGE",
              target,
              1);
      alice.send(alice.message("alice", target, "fork-1", 2, text, credentials));

      bobDesk.awaitRequest(Request.MESSAGE, text);
      bobLaptop.awaitRequest(Request.MESSAGE, text);
      // Both branches answered 200; whatever the node sends within a while is all it sends.
      List<String> answers = alice.receiveAll(1500);
      assertThat(answers)
          .extracting(RawUdpUa::status)
          .filteredOn(s -> s >= 200)
          .containsExactly(200);
    }
  }

  @Test
  void longMessageToAUdpDeviceIsDelivered() throws Exception {
    SipUa bob = registered("bob", "udp");
    SipUa alice = registered("alice", "tcp");
    String text = "A pasted log excerpt. ".repeat(100); // ~2.2 kB: over the 1300-byte UDP limit

    Response r = alice.call(alice.newRequest(Request.MESSAGE, bob.aor(), "alice", text));

    assertThat(r.getStatusCode()).isEqualTo(200);
    bob.awaitRequest(Request.MESSAGE, text);
  }

  // ---- 3. INVITE session ----

  @Test
  void inviteSessionWithInDialogMessagesBothWaysAndByeFromCallee() throws Exception {
    SipUa bob = registered("bob", "udp");
    SipUa alice = registered("alice", "tcp");

    Request invite = alice.newRequest(Request.INVITE, bob.aor(), "alice", SipUa.SDP);
    alice.send(invite);
    Response ok = alice.awaitFinal(invite);

    assertThat(alice.responsesTo(invite)).anyMatch(r -> r.getStatusCode() == 180);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    assertThat(SipUa.bodyOf(ok)).isEqualTo(SipUa.SDP);
    assertThat(SipUa.bodyOf(bob.awaitRequest(Request.INVITE, null))).isEqualTo(SipUa.SDP);
    List<String> recordRoutes = new ArrayList<>();
    ListIterator<?> rr = ok.getHeaders(RecordRouteHeader.NAME);
    rr.forEachRemaining(h -> recordRoutes.add(h.toString()));
    assertThat(recordRoutes).isNotEmpty().allSatisfy(h -> assertThat(h).contains(";lr"));

    alice.ack(ok);
    // Two Vias: the request went through the node, not straight to the other UA.
    assertThat(vias(bob.awaitRequest(Request.ACK, null))).hasSize(2);

    alice.sendInDialog(Request.MESSAGE, "from alice in the call");
    assertThat(vias(bob.awaitRequest(Request.MESSAGE, "from alice in the call"))).hasSize(2);
    Request fromBob = bob.sendInDialog(Request.MESSAGE, "from bob in the call");
    assertThat(vias(alice.awaitRequest(Request.MESSAGE, "from bob in the call"))).hasSize(2);
    assertThat(bob.awaitFinal(fromBob).getStatusCode()).isEqualTo(200);

    Request bye = bob.sendInDialog(Request.BYE, null);
    assertThat(vias(alice.awaitRequest(Request.BYE, null))).hasSize(2);
    assertThat(bob.awaitFinal(bye).getStatusCode()).isEqualTo(200);
  }

  @Test
  void callerHangsUpAnInviteSessionOverTheOtherTransports() throws Exception {
    SipUa bob = registered("bob", "tls");
    SipUa alice = registered("alice", "udp");

    Request invite = alice.newRequest(Request.INVITE, bob.aor(), "alice", SipUa.SDP);
    Response ok = alice.callWithAuth(invite);
    assertThat(ok.getStatusCode()).isEqualTo(200);
    alice.ack(ok);
    bob.awaitRequest(Request.ACK, null);

    Request bye = alice.sendInDialog(Request.BYE, null);
    bob.awaitRequest(Request.BYE, null);
    assertThat(alice.awaitFinal(bye).getStatusCode()).isEqualTo(200);
  }

  @Test
  void callerCancelsARingingCallAndBothSidesSeeItEnd() throws Exception {
    SipUa bob = registered("bob", "udp");
    bob.ringOnly();
    SipUa alice = registered("alice", "tcp");

    Request invite = alice.newRequest(Request.INVITE, bob.aor(), "alice", SipUa.SDP);
    var inviteTx = alice.send(invite);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> alice.responsesTo(invite).stream().anyMatch(r -> r.getStatusCode() == 180));
    Request cancel = alice.cancel(inviteTx);

    assertThat(alice.awaitFinal(cancel).getStatusCode()).isEqualTo(200);
    bob.awaitRequest(Request.CANCEL, null);
    assertThat(alice.awaitFinal(invite).getStatusCode()).isEqualTo(487);
  }

  // ---- 4. error paths ----

  private static Request registerFor(SipUa ua, String aor) throws Exception {
    Request r = ua.newRegister(600, false);
    var address = ua.addresses.createAddress(aor);
    r.setHeader(ua.headers.createToHeader(address, null));
    r.setHeader(ua.headers.createFromHeader(address, "second"));
    return r;
  }

  @Test
  void someoneElsesRegisterOnAlicesConnectionIsChallengedAndAlicesPasswordDoesNotProveIt()
      throws Exception {
    SipUa alice = registered("alice", "tcp");
    Request forBob = registerFor(alice, "sip:bob@example.test");

    Response challenge = alice.call(forBob);
    assertThat(challenge.getStatusCode()).isEqualTo(401);
    Response withAlicesPassword =
        alice.call(alice.withCredentials(forBob, challenge, "alice", "alice-secret", 1));

    assertThat(withAlicesPassword.getStatusCode()).isEqualTo(403);
    assertThat(node.bindings("bob")).isEmpty();
  }

  @Test
  void aSecondUserProvesItselfOnAlicesConnectionAndRefreshesWithoutChallenge() throws Exception {
    SipUa alice = registered("alice", "tcp");
    Request forBob = registerFor(alice, "sip:bob@example.test");
    Response challenge = alice.call(forBob);

    Response ok = alice.call(alice.withCredentials(forBob, challenge, "bob", "bob-secret", 1));
    Response refresh = alice.call(alice.withHeader(forBob, "Expires", "600"));

    assertThat(ok.getStatusCode()).isEqualTo(200);
    assertThat(node.bindings("bob")).hasSize(1);
    assertThat(refresh.getStatusCode()).isEqualTo(200);
    assertThat(alice.register(600).getStatusCode()).isEqualTo(200);
  }

  @Test
  void wrongPasswordAndUnknownUserGetTheSameFreshChallenge() throws Exception {
    SipUa alice = ua("alice", "udp");
    Request first = alice.newRegister(600, false);
    Response challenge = alice.call(first);
    Response wrong =
        alice.call(alice.withCredentials(first, challenge, "alice", "not-her-password", 1));

    // zoe is not provisioned at all: she registers her own AOR with some password.
    SipUa zoe = ua("zoe", "udp");
    Request zoeFirst = zoe.newRegister(600, false);
    Response zoeChallenge = zoe.call(zoeFirst);
    Response unknown = zoe.call(zoe.withCredentials(zoeFirst, zoeChallenge, "zoe", "whatever", 1));

    assertThat(wrong.getStatusCode()).isEqualTo(401).isEqualTo(unknown.getStatusCode());
    assertThat(wrong.getReasonPhrase()).isEqualTo(unknown.getReasonPhrase());
    assertThat(headerNames(wrong)).isEqualTo(headerNames(unknown));
    assertThat(SipUa.challenges(wrong).stream().map(c -> ClientDigest.params(c).keySet()).toList())
        .isEqualTo(
            SipUa.challenges(unknown).stream().map(c -> ClientDigest.params(c).keySet()).toList());
    assertThat(SipUa.challenges(wrong)).noneMatch(c -> c.contains("stale"));
    // A fresh nonce, not the one that just failed.
    assertThat(ClientDigest.params(SipUa.firstChallenge(wrong)).get("nonce"))
        .isNotEqualTo(ClientDigest.params(SipUa.firstChallenge(challenge)).get("nonce"));
    assertThat(node.bindings("alice")).isEmpty();
  }

  private static List<String> vias(Request r) {
    List<String> out = new ArrayList<>();
    r.getHeaders("Via").forEachRemaining(h -> out.add(h.toString()));
    return out;
  }

  private static List<String> headerNames(Response r) {
    List<String> names = new ArrayList<>();
    r.getHeaderNames().forEachRemaining(n -> names.add(n.toString()));
    return names;
  }

  @Test
  void spoofedFromOnAlicesAuthenticatedConnectionIsForbidden() throws Exception {
    SipUa bob = registered("bob", "udp");
    SipUa alice = registered("alice", "tcp");

    Request spoofed = alice.newRequest(Request.MESSAGE, bob.aor(), "bob", "I am bob, honestly");
    Response r = alice.call(spoofed);

    assertThat(r.getStatusCode()).isEqualTo(403);
    Thread.sleep(200);
    assertThat(bob.received()).noneMatch(q -> q.getMethod().equals(Request.MESSAGE));
  }

  @Test
  void messageToUnknownUserIs404AndToUnregisteredUserIs480() throws Exception {
    SipUa alice = registered("alice", "tcp");

    Response unknown =
        alice.call(alice.newRequest(Request.MESSAGE, "sip:zoe@example.test", "alice", "hello?"));
    Response offline =
        alice.call(alice.newRequest(Request.MESSAGE, "sip:dave@example.test", "alice", "hello?"));

    assertThat(unknown.getStatusCode()).isEqualTo(404);
    assertThat(offline.getStatusCode()).isEqualTo(480);
  }

  @Test
  void aUserPartWithAnEscapedNulNamesNoUserInsteadOfFailing() throws Exception {
    // Valid SIP (RFC 4475 escnull); decoded, the user holds U+0000, which PostgreSQL text cannot.
    SipUa alice = registered("alice", "tcp");
    String target = "sip:null-%00-null@example.test";

    Response message = alice.call(alice.newRequest(Request.MESSAGE, target, "alice", "hello?"));
    Request subscribe =
        alice.withHeader(
            alice.withHeader(
                alice.newRequest(Request.SUBSCRIBE, target, "alice", null), "Event", "presence"),
            "Expires",
            "60");
    Response watch = alice.call(subscribe);

    assertThat(message.getStatusCode()).isEqualTo(404);
    assertThat(watch.getStatusCode()).isEqualTo(404);
  }

  @Test
  void expiredNonceIsChallengedAgainWithStaleTrue() throws Exception {
    SipUa alice = ua("alice", "udp");
    Request message = alice.newRequest(Request.MESSAGE, "sip:dave@example.test", "alice", "x");
    Response challenge = alice.call(message);
    assertThat(challenge.getStatusCode()).isEqualTo(407);

    Thread.sleep(NONCE_LIFETIME.toMillis() + 700); // the scenario is the nonce running out
    Response stale =
        alice.call(alice.withCredentials(message, challenge, "alice", "alice-secret", 1));

    assertThat(stale.getStatusCode()).isEqualTo(407);
    assertThat(SipUa.challenges(stale))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(ClientDigest.params(c)).containsEntry("stale", "true"));
    // With the fresh nonce the same password gets through (dave is offline: 480).
    assertThat(
            alice
                .call(alice.withCredentials(message, stale, "alice", "alice-secret", 1))
                .getStatusCode())
        .isEqualTo(480);
  }

  @Test
  void replayedNonceCountIsChallengedAgain() throws Exception {
    SipUa alice = ua("alice", "udp");
    Request message = alice.newRequest(Request.MESSAGE, "sip:dave@example.test", "alice", "x");
    Response challenge = alice.call(message);
    Request answered = alice.withCredentials(message, challenge, "alice", "alice-secret", 1);
    assertThat(alice.call(answered).getStatusCode()).isEqualTo(480);

    String sameCredentials = answered.getHeader("Proxy-Authorization").toString();
    Request replay =
        alice.withHeader(
            message,
            "Proxy-Authorization",
            sameCredentials.substring(sameCredentials.indexOf(':') + 1).strip());
    Response r = alice.call(replay);

    assertThat(r.getStatusCode()).isEqualTo(407);
    assertThat(SipUa.challenges(r)).noneMatch(c -> c.contains("stale=true"));
  }

  @Test
  void maxForwardsZeroToBobIsTooManyHops() throws Exception {
    SipUa bob = registered("bob", "udp");
    SipUa alice = registered("alice", "tcp");
    Request message = alice.newRequest(Request.MESSAGE, bob.aor(), "alice", "never arrives");
    message.setHeader(alice.headers.createMaxForwardsHeader(0));

    assertThat(alice.call(message).getStatusCode()).isEqualTo(483);
    Thread.sleep(200);
    assertThat(bob.received()).isEmpty();
  }

  @Test
  void unauthenticatedUdpRequestForAForeignDomainIsNotRelayed() throws Exception {
    SipUa stranger = ua("alice", "udp");
    Request relay =
        stranger.newRequest(Request.MESSAGE, "sip:victim@elsewhere.example", "alice", "spam");

    Response r = stranger.call(relay);

    assertThat(r.getStatusCode()).isEqualTo(403);
    assertThat(r.getHeader("Proxy-Authenticate")).isNull();
  }

  // ---- 5. connection loss ----

  @Test
  void closingBobsTcpConnectionRemovesHisBinding() throws Exception {
    SipUa bob = registered("bob", "tcp");
    SipUa alice = registered("alice", "tcp");
    assertThat(node.bindings("bob")).hasSize(1);

    bob.drop();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(node.bindings("bob")).isEmpty());
    Response r = alice.call(alice.newRequest(Request.MESSAGE, bob.aor(), "alice", "still there?"));
    assertThat(r.getStatusCode()).isEqualTo(480);
  }
}
