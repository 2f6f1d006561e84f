package io.parley.app;

import io.parley.auth.AuthThrottle;
import io.parley.auth.DigestAuthenticator;
import io.parley.auth.DigestConfig;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.registrar.Registrar;
import io.parley.registrar.RegistrarConfig;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transaction.OverloadPolicy;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transport.CloseReason;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.FlowRegistry;
import io.parley.testing.FakeSipTimers;
import io.parley.testing.FakeSipTransport;
import io.parley.testing.SipMessages;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The dispatcher over a real transaction layer on a fake transport, with in-memory users, a
 * hand-moved clock and a router that records what reached it.
 */
final class AppHarness {

  static final String DOMAIN = "example.test";

  /** A clock tests move by hand. */
  static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T10:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** Flows that tests open and close. */
  static final class Flows implements FlowRegistry {
    final Map<String, Flow> open = new ConcurrentHashMap<>();
    final List<BiConsumer<Flow, CloseReason>> listeners = new ArrayList<>();

    @Override
    public @Nullable Flow find(String flowId) {
      return open.get(flowId);
    }

    @Override
    public Collection<Flow> openFlows() {
      return open.values();
    }

    @Override
    public int openCount() {
      return open.size();
    }

    @Override
    public void addCloseListener(BiConsumer<Flow, CloseReason> listener) {
      listeners.add(listener);
    }

    void close(Flow f) {
      open.remove(f.id());
      listeners.forEach(l -> l.accept(f, CloseReason.PEER_CLOSED));
    }
  }

  /** What reached the router. */
  record Routed(SipRequest request, Flow flow, @Nullable String aor) {}

  final MovableClock clock = new MovableClock();
  final FakeSipTransport transport = new FakeSipTransport();
  final FakeSipTimers timers = new FakeSipTimers();
  final Flows flows = new Flows();
  final InMemoryLocationStore store = new InMemoryLocationStore(clock);
  final InMemoryCredentialSource users =
      new InMemoryCredentialSource()
          .add("alice", DOMAIN, "alice-secret", true)
          .add("bob", DOMAIN, "bob-secret", true)
          .add("carol", DOMAIN, "carol-secret", false);
  final List<Routed> routed = new ArrayList<>();
  @Nullable RuntimeException routerFailure;
  final SipApplication app;
  private long seq;

  AppHarness() {
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    DigestAuthenticator auth =
        new DigestAuthenticator(
            new DigestConfig(DOMAIN, key, Duration.ofSeconds(300), 1000), clock);
    DigestGate gate =
        new DigestGate(
            Map.of(DOMAIN, auth),
            DOMAIN,
            users,
            new AuthThrottle(
                5,
                Duration.ofMinutes(1),
                Duration.ofSeconds(30),
                Duration.ofMinutes(15),
                100,
                clock));
    TransactionOptions opts = TransactionOptions.defaults();
    TransactionLayer tl =
        new TransactionLayer(
            transport,
            timers,
            opts.withOverload(
                new OverloadPolicy(
                    opts.overload().highWatermark(),
                    opts.overload().lowWatermark(),
                    Duration.ZERO,
                    opts.overload().retryAfterSeconds())));
    RequestRouter router =
        new RequestRouter() {
          @Override
          public void onRequest(
              ServerTransaction tx, SipRequest request, Flow flow, @Nullable String aor) {
            if (routerFailure != null) {
              throw routerFailure;
            }
            routed.add(new Routed(request, flow, aor));
            tx.respond(SipResponse.forRequest(request, 200, "Routed").toTag("r").build());
          }

          @Override
          public void onAck2xx(SipRequest ack, Flow flow) {}

          @Override
          public void onCancel(
              ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {}
        };
    app =
        new SipApplication(
            Set.of(DOMAIN),
            Set.of("192.0.2.1"),
            gate,
            new Registrar(RegistrarConfig.defaults(), store, "node-1", clock),
            router,
            flows,
            Runnable::run);
    tl.transactionUser(app);
  }

  Flow open(Flow f) {
    flows.open.put(f.id(), f);
    return f;
  }

  /** Delivers the request on the flow and returns the last response sent. */
  SipResponse send(String text, Flow flow) {
    transport.clear();
    transport.receive(SipMessages.request(text), flow);
    List<SipResponse> rs = transport.sentResponses();
    if (rs.isEmpty()) {
      throw new AssertionError("no response to\n" + text);
    }
    return rs.get(rs.size() - 1);
  }

  String branch() {
    return "z9hG4bK-t" + (++seq);
  }

  String register(String user, String callId, long cseq, String extra) {
    return "REGISTER sip:example.test SIP/2.0\n"
        + "Via: SIP/2.0/TCP 192.0.2.10:40000;branch="
        + branch()
        + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:"
        + user
        + "@example.test>;tag=f"
        + seq
        + "\n"
        + "To: <sip:"
        + user
        + "@example.test>\n"
        + "Call-ID: "
        + callId
        + "\n"
        + "CSeq: "
        + cseq
        + " REGISTER\n"
        + "Contact: <sip:"
        + user
        + "@192.0.2.10:40000;transport=tcp>\n"
        + extra
        + "Content-Length: 0\n\n";
  }

  String message(String from, String to, String extra) {
    return "MESSAGE sip:"
        + to
        + " SIP/2.0\n"
        + "Via: SIP/2.0/TCP 192.0.2.10:40000;branch="
        + branch()
        + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:"
        + from
        + ">;tag=m"
        + seq
        + "\n"
        + "To: <sip:"
        + to
        + ">\n"
        + "Call-ID: msg-"
        + seq
        + "\n"
        + "CSeq: 1 MESSAGE\n"
        + extra
        + "Content-Length: 0\n\n";
  }
}
