package io.parley.app;

import static io.parley.testing.ClientDigest.authorization;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;
import io.parley.testing.FakeSipTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SipApplicationTest {

  private final AppHarness h = new AppHarness();
  private final Flow tcp = h.open(FakeSipTransport.tcpFlow());
  private final Flow udp = FakeSipTransport.udpFlow();

  /** REGISTERs alice on the flow with the SHA-256 challenge; returns the 200. */
  private SipResponse registerAlice(Flow flow) {
    SipResponse challenge = h.send(h.register("alice", "reg-1", 1, ""), flow);
    String www = challenge.headerValues(HeaderName.WWW_AUTHENTICATE).get(1);
    return h.send(
        h.register(
            "alice",
            "reg-1",
            2,
            "Authorization: "
                + authorization(
                    www, "alice", "alice-secret", "REGISTER", "sip:example.test", "00000001")
                + "\n"),
        flow);
  }

  @Test
  void registerIsChallengedWith401OfferingMd5ThenSha256() {
    SipResponse r = h.send(h.register("alice", "reg-1", 1, ""), tcp);

    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().all(HeaderName.WWW_AUTHENTICATE))
        .hasSize(2)
        .satisfiesExactly(
            md5 ->
                assertThat(md5).contains("algorithm=MD5", "realm=\"example.test\"", "qop=\"auth\""),
            sha -> assertThat(sha).contains("algorithm=SHA-256"));
    assertThat(h.store.lookup("sip:alice@example.test").result()).isEmpty();
  }

  @Test
  void correctSha256AndMd5CredentialsRegister() {
    SipResponse ok = registerAlice(tcp);
    assertThat(ok.statusCode()).isEqualTo(200);

    SipResponse challenge = h.send(h.register("bob", "reg-b", 1, ""), udp);
    String md5 = challenge.headerValues(HeaderName.WWW_AUTHENTICATE).get(0);
    SipResponse bob =
        h.send(
            h.register(
                "bob",
                "reg-b",
                2,
                "Authorization: "
                    + authorization(md5, "bob", "bob-secret", "REGISTER", "(null)", "00000001")
                    + "\n"),
            udp);
    assertThat(bob.statusCode()).isEqualTo(200);
    assertThat(h.store.lookup("sip:bob@example.test").result()).hasSize(1);
  }

  @Test
  void wrongPasswordAndUnknownUserGetTheSameAnswer() {
    SipResponse c1 = h.send(h.register("alice", "r", 1, ""), udp);
    SipResponse wrong =
        h.send(
            h.register(
                "alice",
                "r",
                2,
                "Authorization: "
                    + authorization(
                        c1.header(HeaderName.WWW_AUTHENTICATE),
                        "alice",
                        "nope",
                        "REGISTER",
                        "sip:example.test",
                        "00000001")
                    + "\n"),
            udp);
    SipResponse c2 = h.send(h.register("mallory", "m", 1, ""), udp);
    SipResponse unknown =
        h.send(
            h.register(
                "mallory",
                "m",
                2,
                "Authorization: "
                    + authorization(
                        c2.header(HeaderName.WWW_AUTHENTICATE),
                        "mallory",
                        "nope",
                        "REGISTER",
                        "sip:example.test",
                        "00000001")
                    + "\n"),
            udp);

    assertThat(wrong.statusCode()).isEqualTo(401).isEqualTo(unknown.statusCode());
    assertThat(wrong.reasonPhrase()).isEqualTo(unknown.reasonPhrase());
    assertThat(wrong.headers().all(HeaderName.WWW_AUTHENTICATE).size())
        .isEqualTo(unknown.headers().all(HeaderName.WWW_AUTHENTICATE).size());
    assertThat(wrong.header(HeaderName.WWW_AUTHENTICATE)).doesNotContain("stale");
    assertThat(unknown.header(HeaderName.WWW_AUTHENTICATE)).doesNotContain("stale");
  }

  @Test
  void expiredNonceIsAnsweredStaleAndAReplayedNonceCountIsRechallenged() {
    SipResponse c = h.send(h.register("alice", "r", 1, ""), udp);
    String www = c.header(HeaderName.WWW_AUTHENTICATE);
    String auth =
        "Authorization: "
            + authorization(www, "alice", "alice-secret", "REGISTER", "sip:x", "00000001")
            + "\n";

    assertThat(h.send(h.register("alice", "r", 2, auth), udp).statusCode()).isEqualTo(200);
    SipResponse replay = h.send(h.register("alice", "r", 3, auth), udp);
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.header(HeaderName.WWW_AUTHENTICATE)).doesNotContain("stale");

    h.clock.now = h.clock.now.plus(Duration.ofSeconds(301));
    String next =
        "Authorization: "
            + authorization(www, "alice", "alice-secret", "REGISTER", "sip:x", "00000002")
            + "\n";
    SipResponse stale = h.send(h.register("alice", "r", 4, next), udp);
    assertThat(stale.statusCode()).isEqualTo(401);
    assertThat(stale.headers().all(HeaderName.WWW_AUTHENTICATE))
        .allMatch(v -> v.contains("stale=true"));
  }

  @Test
  void usernamesOtherThanTheProvisionedLowerCaseFormFailLikeAWrongPassword() {
    for (String user : new String[] {"Alice", "alice@example.test", "EXAMPLE\\alice"}) {
      SipResponse c = h.send(h.register("alice", "u-" + user, 1, ""), udp);
      String auth =
          authorization(
                  c.header(HeaderName.WWW_AUTHENTICATE),
                  user,
                  "alice-secret",
                  "REGISTER",
                  "sip:example.test",
                  "00000001")
              .replace(
                  "username=\"" + user + "\"", "username=\"" + user.replace("\\", "\\\\") + "\"");
      SipResponse r =
          h.send(h.register("alice", "u-" + user, 2, "Authorization: " + auth + "\n"), udp);

      assertThat(r.statusCode()).as(user).isEqualTo(401);
    }
    assertThat(h.store.lookup("sip:alice@example.test").result()).isEmpty();
  }

  @Test
  void disabledUserWithTheRightPasswordIsForbidden() {
    SipResponse c = h.send(h.register("carol", "r", 1, ""), udp);
    SipResponse r =
        h.send(
            h.register(
                "carol",
                "r",
                2,
                "Authorization: "
                    + authorization(
                        c.header(HeaderName.WWW_AUTHENTICATE),
                        "carol",
                        "carol-secret",
                        "REGISTER",
                        "sip:x",
                        "00000001")
                    + "\n"),
            udp);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(h.store.lookup("sip:carol@example.test").result()).isEmpty();
  }

  @Test
  void repeatedFailuresLockTheSourceOutWith503RetryAfter() {
    SipResponse last = null;
    for (int i = 0; i < 6; i++) {
      SipResponse c = h.send(h.register("alice", "r" + i, 1, ""), udp);
      if (c.statusCode() == 503) {
        last = c;
        break;
      }
      h.send(
          h.register(
              "alice",
              "r" + i,
              2,
              "Authorization: "
                  + authorization(
                      c.header(HeaderName.WWW_AUTHENTICATE),
                      "alice",
                      "guess" + i,
                      "REGISTER",
                      "sip:x",
                      "00000001")
                  + "\n"),
          udp);
    }
    assertThat(last).isNotNull();
    assertThat(last.header(HeaderName.RETRY_AFTER)).isEqualTo("30");
  }

  @Test
  void registeringSomeoneElsesAorIsForbidden() {
    SipResponse c = h.send(h.register("bob", "r", 1, ""), udp);
    SipResponse r =
        h.send(
            h.register(
                "bob",
                "r",
                2,
                "Authorization: "
                    + authorization(
                        c.header(HeaderName.WWW_AUTHENTICATE),
                        "alice",
                        "alice-secret",
                        "REGISTER",
                        "sip:x",
                        "00000001")
                    + "\n"),
            udp);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(h.store.lookup("sip:bob@example.test").result()).isEmpty();
  }

  @Test
  void foreignDomainAorIs404BeforeAnyChallenge() {
    String req =
        h.register("alice", "r", 1, "")
            .replace("To: <sip:alice@example.test>", "To: <sip:alice@elsewhere.test>");
    assertThat(h.send(req, udp).statusCode()).isEqualTo(404);
  }

  @Test
  void registeredConnectionCarriesTheIdentityAndRefusesSpoofedFrom() {
    assertThat(registerAlice(tcp).statusCode()).isEqualTo(200);

    SipResponse own = h.send(h.message("alice@example.test", "bob@example.test", ""), tcp);
    SipResponse spoofed = h.send(h.message("bob@example.test", "alice@example.test", ""), tcp);

    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(h.routed)
        .singleElement()
        .extracting(AppHarness.Routed::aor)
        .isEqualTo("sip:alice@example.test");
    assertThat(spoofed.statusCode()).isEqualTo(403);
    assertThat(spoofed.reasonPhrase()).isEqualTo("From does not match the authenticated identity");
  }

  @Test
  void closingTheConnectionDropsItsBindingsAndIdentity() {
    registerAlice(tcp);
    assertThat(h.store.lookup("sip:alice@example.test").result()).hasSize(1);

    h.flows.close(tcp);

    assertThat(h.store.lookup("sip:alice@example.test").result()).isEmpty();
    assertThat(h.app.identityOf(tcp.id())).isNull();
  }

  @Test
  void requestsOverUdpAreChallengedWith407AndTheProvenUserMustBeTheSender() {
    SipResponse c = h.send(h.message("alice@example.test", "bob@example.test", ""), udp);
    assertThat(c.statusCode()).isEqualTo(407);
    assertThat(c.headers().all(HeaderName.PROXY_AUTHENTICATE)).hasSize(2);
    String pa = c.header(HeaderName.PROXY_AUTHENTICATE);

    SipResponse ok =
        h.send(
            h.message(
                "alice@example.test",
                "bob@example.test",
                "Proxy-Authorization: "
                    + authorization(
                        pa, "alice", "alice-secret", "MESSAGE", "sip:bob@example.test", "00000001")
                    + "\n"),
            udp);
    SipResponse spoof =
        h.send(
            h.message(
                "bob@example.test",
                "alice@example.test",
                "Proxy-Authorization: "
                    + authorization(
                        pa,
                        "alice",
                        "alice-secret",
                        "MESSAGE",
                        "sip:alice@example.test",
                        "00000002")
                    + "\n"),
            udp);

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(spoof.statusCode()).isEqualTo(403);
    assertThat(h.routed).hasSize(1);
  }

  @Test
  void sipeGetsASingleMd5ProxyChallengeEvenForRegister() {
    SipResponse r =
        h.send(
            h.register("alice", "r", 1, "User-Agent: Purple/2.14.12 Sipe/1.25.0 (linux-x86_64)\n"),
            tcp);

    assertThat(r.statusCode()).isEqualTo(407);
    assertThat(r.headers().all(HeaderName.PROXY_AUTHENTICATE))
        .singleElement()
        .asString()
        .doesNotContain("algorithm");
  }

  @Test
  void unauthenticatedRequestsForForeignDomainsAreNotRelayed() {
    SipResponse r = h.send(h.message("alice@example.test", "someone@elsewhere.test", ""), udp);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.reasonPhrase()).isEqualTo("Relaying Denied");
  }

  @Test
  void inDialogRequestFollowingOurRecordRouteIsNotChallenged() {
    String bye =
        "BYE sip:bob@192.0.2.20:5060 SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch="
            + h.branch()
            + "\n"
            + "Max-Forwards: 70\n"
            + "Route: <sip:192.0.2.1:5060;lr>\n"
            + "From: <sip:alice@example.test>;tag=a\n"
            + "To: <sip:bob@example.test>;tag=b\n"
            + "Call-ID: dlg-1\nCSeq: 2 BYE\nContent-Length: 0\n\n";

    assertThat(h.send(bye, udp).statusCode()).isEqualTo(200);
    assertThat(h.routed).singleElement().extracting(AppHarness.Routed::aor).isNull();
  }

  @Test
  void aForgedToTagAndRouteCannotSkipTheChallengeForAnAorRequestUri() {
    String forged =
        "MESSAGE sip:bob@example.test SIP/2.0\n"
            + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch="
            + h.branch()
            + "\n"
            + "Max-Forwards: 70\n"
            + "Route: <sip:example.test;lr>\n"
            + "From: <sip:alice@example.test>;tag=a\n"
            + "To: <sip:bob@example.test>;tag=forged\n"
            + "Call-ID: forged-1\nCSeq: 1 MESSAGE\nContent-Length: 0\n\n";

    assertThat(h.send(forged, udp).statusCode()).isEqualTo(407);
    assertThat(h.routed).isEmpty();
  }

  @Test
  void inDialogRequestsOnAnIdentifiedConnectionMustCarryItsFrom() {
    registerAlice(tcp);
    String bye =
        "BYE sip:carol@192.0.2.30:5060 SIP/2.0\n"
            + "Via: SIP/2.0/TCP 192.0.2.10:40000;branch="
            + h.branch()
            + "\n"
            + "Max-Forwards: 70\n"
            + "Route: <sip:192.0.2.1:5060;transport=tcp;lr>\n"
            + "From: <sip:bob@example.test>;tag=a\n"
            + "To: <sip:carol@example.test>;tag=b\n"
            + "Call-ID: dlg-2\nCSeq: 2 BYE\nContent-Length: 0\n\n";

    assertThat(h.send(bye, tcp).statusCode()).isEqualTo(403);
  }

  @Test
  void optionsToTheServerIsAnsweredWithoutAuthentication() {
    String options =
        "OPTIONS sip:example.test SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.10;branch="
            + h.branch()
            + "\nMax-Forwards: 0\nFrom: <sip:x@example.test>;tag=o\nTo: <sip:example.test>\n"
            + "Call-ID: o1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n";
    SipResponse r = h.send(options, udp);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headerValues(HeaderName.ALLOW)).contains("REGISTER", "MESSAGE", "INVITE");
    assertThat(r.header(HeaderName.ACCEPT)).isNotNull();
  }

  @Test
  void protocolChecksComeBeforeAuthentication() {
    SipResponse hops =
        h.send(
            h.message("alice@example.test", "bob@example.test", "")
                .replace("Max-Forwards: 70", "Max-Forwards: 0"),
            udp);
    SipResponse proxyRequire =
        h.send(
            h.message(
                "alice@example.test", "bob@example.test", "Proxy-Require: ms-benotify, x-frob\n"),
            udp);
    SipResponse require = h.send(h.register("alice", "r", 1, "Require: x-frob\n"), udp);
    SipResponse scheme =
        h.send(
            h.message("alice@example.test", "bob@example.test", "")
                .replace("MESSAGE sip:bob@example.test", "MESSAGE mailto:bob@example.test"),
            udp);

    assertThat(hops.statusCode()).isEqualTo(483);
    assertThat(proxyRequire.statusCode()).isEqualTo(420);
    assertThat(proxyRequire.header(HeaderName.UNSUPPORTED)).isEqualTo("x-frob");
    assertThat(require.statusCode()).isEqualTo(420);
    assertThat(scheme.statusCode()).isEqualTo(416);
    assertThat(h.routed).isEmpty();
  }

  @Test
  void registerWithoutAUserPartInToIs400() {
    String req =
        h.register("alice", "r", 1, "")
            .replace("To: <sip:alice@example.test>", "To: <sip:example.test>");
    assertThat(h.send(req, tcp).statusCode()).isEqualTo(400);
  }

  @Test
  void aFailingRouterYields500AndTheApplicationKeepsServing() {
    registerAlice(tcp);
    h.routerFailure = new IllegalStateException("boom");
    SipResponse failed = h.send(h.message("alice@example.test", "bob@example.test", ""), tcp);
    h.routerFailure = null;
    SipResponse next = h.send(h.message("alice@example.test", "bob@example.test", ""), tcp);

    assertThat(failed.statusCode()).isEqualTo(500);
    assertThat(next.statusCode()).isEqualTo(200);
  }
}
