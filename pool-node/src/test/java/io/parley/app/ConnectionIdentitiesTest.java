package io.parley.app;

import static io.parley.testing.ClientDigest.authorization;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;
import io.parley.testing.FakeSipTransport;
import org.junit.jupiter.api.Test;

/** Several users proving themselves on one TCP connection (a NAT, a gateway, a load generator). */
class ConnectionIdentitiesTest {

  private final AppHarness h = new AppHarness();
  private final Flow tcp = h.open(FakeSipTransport.tcpFlow());

  private SipResponse register(String user, String password, String callId, Flow flow) {
    SipResponse first = h.send(h.register(user, callId, 1, ""), flow);
    if (first.statusCode() != 401) {
      return first;
    }
    String www = first.headerValues(HeaderName.WWW_AUTHENTICATE).get(0);
    return h.send(
        h.register(
            user,
            callId,
            2,
            "Authorization: "
                + authorization(www, user, password, "REGISTER", "sip:example.test", "00000001")
                + "\n"),
        flow);
  }

  @Test
  void aSecondUsersRegisterOnAnIdentifiedConnectionIsChallengedNotRefused() {
    assertThat(register("alice", "alice-secret", "a", tcp).statusCode()).isEqualTo(200);

    SipResponse bobFirst = h.send(h.register("bob", "b", 1, ""), tcp);

    assertThat(bobFirst.statusCode()).isEqualTo(401);
    assertThat(bobFirst.headerValues(HeaderName.WWW_AUTHENTICATE)).isNotEmpty();
  }

  @Test
  void onceProvenBothUsersSendOnTheConnectionWithoutChallenge() {
    register("alice", "alice-secret", "a", tcp);
    assertThat(register("bob", "bob-secret", "b", tcp).statusCode()).isEqualTo(200);

    SipResponse fromAlice = h.send(h.message("alice@example.test", "bob@example.test", ""), tcp);
    SipResponse fromBob = h.send(h.message("bob@example.test", "alice@example.test", ""), tcp);

    assertThat(fromAlice.statusCode()).isEqualTo(200);
    assertThat(fromBob.statusCode()).isEqualTo(200);
    assertThat(h.routed)
        .extracting(AppHarness.Routed::aor)
        .containsExactly("sip:alice@example.test", "sip:bob@example.test");
    assertThat(h.app.identitiesOf(tcp.id()))
        .containsExactly("sip:alice@example.test", "sip:bob@example.test");
    assertThat(h.store.lookup("sip:bob@example.test").result()).hasSize(1);
  }

  @Test
  void aProvenUsersRefreshIsNotChallengedAgain() {
    register("alice", "alice-secret", "a", tcp);
    register("bob", "bob-secret", "b", tcp);

    assertThat(h.send(h.register("bob", "b", 3, ""), tcp).statusCode()).isEqualTo(200);
    assertThat(h.send(h.register("alice", "a", 3, ""), tcp).statusCode()).isEqualTo(200);
  }

  @Test
  void aUserWhoDidNotRegisterOnTheConnectionStillCannotSpeakThroughIt() {
    register("alice", "alice-secret", "a", tcp);

    SipResponse spoofed = h.send(h.message("bob@example.test", "alice@example.test", ""), tcp);

    assertThat(spoofed.statusCode()).isEqualTo(403);
    assertThat(spoofed.reasonPhrase()).isEqualTo("From does not match the authenticated identity");
  }

  @Test
  void aWrongPasswordForTheSecondUserAddsNoIdentity() {
    register("alice", "alice-secret", "a", tcp);

    SipResponse r = register("bob", "not-bobs", "b", tcp);

    assertThat(r.statusCode()).isNotEqualTo(200);
    assertThat(h.app.identitiesOf(tcp.id())).containsExactly("sip:alice@example.test");
    assertThat(h.send(h.message("bob@example.test", "alice@example.test", ""), tcp).statusCode())
        .isEqualTo(403);
  }

  @Test
  void credentialsOfOneUserCannotRegisterAnotherOnTheConnection() {
    register("alice", "alice-secret", "a", tcp);
    SipResponse challenge = h.send(h.register("bob", "b", 1, ""), tcp);
    String www = challenge.headerValues(HeaderName.WWW_AUTHENTICATE).get(0);

    SipResponse r =
        h.send(
            h.register(
                "bob",
                "b",
                2,
                "Authorization: "
                    + authorization(
                        www, "alice", "alice-secret", "REGISTER", "sip:example.test", "00000001")
                    + "\n"),
            tcp);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(h.app.identitiesOf(tcp.id())).containsExactly("sip:alice@example.test");
  }

  @Test
  void closingTheConnectionForgetsEveryIdentity() {
    register("alice", "alice-secret", "a", tcp);
    register("bob", "bob-secret", "b", tcp);

    h.flows.close(tcp);

    assertThat(h.app.identitiesOf(tcp.id())).isEmpty();
    assertThat(h.store.lookup("sip:bob@example.test").result()).isEmpty();
  }
}
