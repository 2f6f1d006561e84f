package io.parley.app;

import io.parley.registrar.Aors;
import io.parley.registrar.Registrar;
import io.parley.sip.message.AbsoluteUri;
import io.parley.sip.message.HeaderName;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.SipUri;
import io.parley.sip.message.Uri;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.TransactionUser;
import io.parley.sip.transport.CloseReason;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.FlowRegistry;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application above the transaction layer. For each new request, in this order:
 *
 * <ol>
 *   <li>Request-URI scheme other than sip/sips/tel → 416.
 *   <li>Requests for the server itself (REGISTER; OPTIONS whose Request-URI is one of our
 *       domains/hosts without a user part): unknown {@code Require} tags → 420; OPTIONS → 200 with
 *       Allow/Accept/Supported, unauthenticated (clients use it as a ping).
 *   <li>Requests to be proxied: {@code Max-Forwards: 0} → 483; unknown {@code Proxy-Require} tags →
 *       420 (SIPE's {@code ms-benotify} and friends are known). {@code Require} is end-to-end and
 *       left to the target.
 *   <li>Authentication and authorization (see below), then REGISTER → {@link Registrar}, anything
 *       else → {@link RequestRouter#onRequest}.
 * </ol>
 *
 * <p><b>Identity.</b> A REGISTER needs Digest (401) unless it arrives on a TCP/TLS connection that
 * already carries its To AOR as a proven identity; the proven AOR must equal the To AOR (403
 * otherwise). After a 2xx to a Digest-checked REGISTER over TCP/TLS, the connection carries that
 * AOR until it closes, beside any it proved before (several users behind one connection: a NAT, a
 * gateway, a load generator), at most {@link #MAX_IDENTITIES_PER_CONNECTION}; beyond that a
 * REGISTER still succeeds but its AOR is not remembered. A REGISTER for another AOR on such a
 * connection is challenged (401) like any first REGISTER. Other requests on it are not challenged,
 * but their From AOR must be one of its identities (403 "From does not match the authenticated
 * identity"), even in-dialog ones: a user joins a connection by registering on it. Without a
 * connection identity (UDP, or a connection that never registered) each request is challenged with
 * 407 and the proven AOR must equal the From AOR. Never challenged: in-dialog requests (To tag)
 * whose top Route points at us (our Record-Route) and whose Request-URI is a remote target rather
 * than one of our AORs (they reach the router with a null AOR: route them by dialog/contact only),
 * ACK and CANCEL. <b>No open relay:</b> an out-of-dialog request without a connection identity
 * whose Request-URI domain is not ours is refused with 403 before any challenge.
 *
 * <p>Every callback runs on the transaction layer's context; continuations of asynchronous steps
 * (credential lookup, location store) are brought back onto it through {@code onContext}. No
 * exception escapes: anything unexpected becomes a logged 500.
 */
public final class SipApplication implements TransactionUser {

  private static final Logger log = LoggerFactory.getLogger(SipApplication.class);

  /** Proven AORs remembered per TCP/TLS connection (bounds memory per connection). */
  public static final int MAX_IDENTITIES_PER_CONNECTION = 1000;

  /** Allow of our OPTIONS answer: what the proxy relays and the registrar serves. */
  public static final String ALLOW =
      "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH,"
          + " REFER,"
          + " PRACK, UPDATE, BENOTIFY";

  /** Require tags we implement as a UAS (registrar, OPTIONS). */
  public static final Set<String> UAS_EXTENSIONS = Set.of("outbound", "ms-benotify", "adhoclist");

  /** Proxy-Require tags we accept as a proxy (SIPE's, ms-sip-lcs2005 §7.4). */
  public static final Set<String> PROXY_EXTENSIONS =
      Set.of("ms-benotify", "adhoclist", "com.microsoft.rtc-multiparty");

  private final Set<String> domains;
  private final Set<String> localHosts;
  private final DigestGate gate;
  private final Registrar registrar;
  private final RequestRouter router;
  private final FlowRegistry flows;
  private final Executor onContext;
  // flow id -> AOR proven by a REGISTER on that connection (a String: the usual single user), or a
  // LinkedHashSet of them once a second user proved itself there; touched only on the context
  private final Map<String, Object> identities = new HashMap<>();
  private @Nullable LocalService localService;

  /**
   * A service of this node that answers some authenticated requests itself instead of the proxy
   * (the presence agent: PUBLISH and SUBSCRIBE to users of our domains). Called on the context.
   */
  public interface LocalService {
    /** True when this service answers {@code request} (an authenticated, checked request). */
    boolean claims(SipRequest request, Flow flow);

    /** Answers a claimed request; {@code authenticatedAor} is the sender's proven AOR. */
    void onRequest(ServerTransaction tx, SipRequest request, Flow flow, String authenticatedAor);

    /** The node stops. */
    default void close() {}
  }

  /**
   * @param domains the SIP domains we serve (lower-case); the first is the default realm
   * @param localHosts host names / IP literals that address this node (advertised host, listen
   *     address); the local address of the request's flow is always included
   * @param onContext runs a task on the transaction layer's context (directly when already there)
   */
  public SipApplication(
      Set<String> domains,
      Set<String> localHosts,
      DigestGate gate,
      Registrar registrar,
      RequestRouter router,
      FlowRegistry flows,
      Executor onContext) {
    this.domains = lower(domains);
    this.localHosts = lower(localHosts);
    this.gate = gate;
    this.registrar = registrar;
    this.router = router;
    this.flows = flows;
    this.onContext = onContext;
    flows.addCloseListener(this::onFlowClosed);
  }

  /** Sets the service that answers the requests it claims before they reach the router. */
  public void localService(@Nullable LocalService service) {
    this.localService = service;
  }

  /** The first AOR proven on this connection, or null. */
  public @Nullable String identityOf(String flowId) {
    Object ids = identities.get(flowId);
    if (ids instanceof Set<?> set) {
      return (String) set.iterator().next();
    }
    return (String) ids;
  }

  /** Every AOR proven on this connection, in the order they were proven. */
  public Set<String> identitiesOf(String flowId) {
    Object ids = identities.get(flowId);
    if (ids == null) {
      return Set.of();
    }
    if (ids instanceof Set<?> set) {
      @SuppressWarnings("unchecked")
      Set<String> aors = (Set<String>) set;
      return java.util.Collections.unmodifiableSet(aors);
    }
    return Set.of((String) ids);
  }

  /** True if the flow is a TCP/TLS connection on which {@code aor} proved itself. */
  private boolean provenOn(Flow flow, @Nullable String aor) {
    if (aor == null || !flow.reliable()) {
      return false;
    }
    Object ids = identities.get(flow.id());
    return ids instanceof Set<?> set ? set.contains(aor) : aor.equals(ids);
  }

  private void remember(Flow flow, String aor) {
    Object ids = identities.get(flow.id());
    if (ids == null) {
      identities.put(flow.id(), aor);
    } else if (ids instanceof String one) {
      if (!one.equals(aor)) {
        Set<String> set = new java.util.LinkedHashSet<>(4);
        set.add(one);
        set.add(aor);
        identities.put(flow.id(), set);
      }
    } else {
      @SuppressWarnings("unchecked")
      Set<String> set = (Set<String>) ids;
      if (set.size() < MAX_IDENTITIES_PER_CONNECTION) {
        set.add(aor);
      } else if (!set.contains(aor)) {
        log.debug(
            "flow {} already carries {} identities; {} not remembered", flow, set.size(), aor);
      }
    }
  }

  @Override
  public void onRequest(SipRequest request, ServerTransaction tx) {
    try {
      dispatch(request, tx);
    } catch (RuntimeException e) {
      fail(tx, request, e);
    }
  }

  @Override
  public void onAck(SipRequest ack, Flow flow) {
    try {
      router.onAck2xx(ack, flow);
    } catch (RuntimeException e) {
      log.warn("router failed on ACK", e);
    }
  }

  @Override
  public void onCancel(ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {
    try {
      router.onCancel(cancelTx, cancel, invite);
    } catch (RuntimeException e) {
      fail(cancelTx, cancel, e);
    }
  }

  private void dispatch(SipRequest request, ServerTransaction tx) {
    Flow flow = tx.flow();
    Uri ruri = request.requestUri();
    if (ruri instanceof AbsoluteUri) {
      respond(tx, simple(request, 416, "Unsupported URI Scheme"));
      return;
    }
    if (PoolPeers.isPoolFlow(flow.id())) {
      onPoolRequest(request, tx, flow);
      return;
    }
    boolean register = request.isMethod("REGISTER");
    boolean optionsToUs =
        request.isMethod("OPTIONS")
            && ruri instanceof SipUri sip
            && sip.user() == null
            && isOurHost(sip.host(), flow);
    if (register || optionsToUs) {
      List<String> unsupported = unsupported(request, HeaderName.REQUIRE, UAS_EXTENSIONS);
      if (!unsupported.isEmpty()) {
        respond(tx, badExtension(request, unsupported));
        return;
      }
      if (optionsToUs) {
        respond(tx, optionsOk(request));
      } else {
        onRegister(request, tx, flow);
      }
      return;
    }
    if (request.maxForwards() == 0) {
      respond(tx, simple(request, 483, "Too Many Hops"));
      return;
    }
    List<String> unsupported = unsupported(request, HeaderName.PROXY_REQUIRE, PROXY_EXTENSIONS);
    if (!unsupported.isEmpty()) {
      respond(tx, badExtension(request, unsupported));
      return;
    }
    onProxyRequest(request, tx, flow);
  }

  /**
   * A request relayed by another pool member, which authenticated the sender and routed it here
   * because the target's connection is on this node: no challenge, the From is the sender's proven
   * identity. Registrations are never relayed.
   */
  private void onPoolRequest(SipRequest request, ServerTransaction tx, Flow flow) {
    if (request.isMethod("REGISTER")) {
      respond(tx, simple(request, 403, "Forbidden (REGISTER is not relayed between pool members)"));
      return;
    }
    if (request.maxForwards() == 0) {
      respond(tx, simple(request, 483, "Too Many Hops"));
      return;
    }
    router.onRequest(tx, request, flow, Aors.of(request.from().uri()));
  }

  private void onRegister(SipRequest request, ServerTransaction tx, Flow flow) {
    String toAor = Aors.of(request.to().uri());
    if (toAor == null) {
      respond(tx, simple(request, 400, "Invalid Address Of Record"));
      return;
    }
    if (!domains.contains(Aors.domain(toAor))) {
      // RFC 3261 §10.3 step 3: not an AOR of a domain we serve.
      respond(tx, simple(request, 404, "Not Found"));
      return;
    }
    if (provenOn(flow, toAor)) {
      completeRegister(request, tx, flow, toAor, toAor);
      return;
    }
    whenDone(
        gate.authenticate(request, flow, Aors.domain(toAor)),
        tx,
        request,
        decision -> {
          switch (decision) {
            case AuthDecision.Respond r -> respond(tx, r.response());
            case AuthDecision.Authenticated a ->
                completeRegister(request, tx, flow, toAor, a.aor());
          }
        });
  }

  private void completeRegister(
      SipRequest request, ServerTransaction tx, Flow flow, String toAor, String identity) {
    if (!identity.equals(toAor)) {
      respond(tx, simple(request, 403, "Forbidden: AOR Does Not Match Authenticated Identity"));
      return;
    }
    whenDone(
        registrar.register(request, flow, toAor),
        tx,
        request,
        response -> {
          if (response.statusCode() / 100 == 2 && flow.reliable()) {
            if (flows.find(flow.id()) == null) {
              // The connection closed while we were storing: its close listener already ran.
              registrar.store().removeFlow(flow.id());
            } else {
              remember(flow, toAor);
            }
          }
          respond(tx, response);
        });
  }

  private void onProxyRequest(SipRequest request, ServerTransaction tx, Flow flow) {
    String fromAor = Aors.of(request.from().uri());
    boolean proven = provenOn(flow, fromAor);
    if (request.isMethod("CANCEL") || request.isMethod("ACK")) {
      // Cannot be challenged (RFC 3261 §22.1); the proxy matches them to what it forwarded.
      router.onRequest(tx, request, flow, proven ? fromAor : identityOf(flow.id()));
      return;
    }
    if (proven) {
      deliver(tx, request, flow, fromAor);
      return;
    }
    if (flow.reliable() && identities.containsKey(flow.id())) {
      // A user joins a connection by REGISTERing on it; until then its From is not accepted here.
      respond(tx, simple(request, 403, "From does not match the authenticated identity"));
      return;
    }
    if (inDialogViaUs(request, flow)) {
      // The dialog was authorised when it was set up; such requests cannot all be challenged
      // (the peer's UA may not even have credentials with us).
      router.onRequest(tx, request, flow, null);
      return;
    }
    if (!requestUriIsOurs(request.requestUri(), flow)) {
      respond(tx, simple(request, 403, "Relaying Denied"));
      return;
    }
    String realmHint = fromAor != null ? Aors.domain(fromAor) : "";
    whenDone(
        gate.authenticate(request, flow, realmHint),
        tx,
        request,
        decision -> {
          switch (decision) {
            case AuthDecision.Respond r -> respond(tx, r.response());
            case AuthDecision.Authenticated a -> {
              if (!a.aor().equals(fromAor)) {
                respond(tx, simple(request, 403, "From does not match the authenticated identity"));
              } else {
                deliver(tx, request, flow, a.aor());
              }
            }
          }
        });
  }

  private void deliver(ServerTransaction tx, SipRequest request, Flow flow, String aor) {
    LocalService local = localService;
    if (local != null && local.claims(request, flow)) {
      local.onRequest(tx, request, flow, aor);
    } else {
      router.onRequest(tx, request, flow, aor);
    }
  }

  private void onFlowClosed(Flow flow, CloseReason reason) {
    try {
      identities.remove(flow.id());
      registrar
          .store()
          .removeFlow(flow.id())
          .onFailure(e -> log.warn("could not drop the bindings of closed flow {}", flow.id(), e));
    } catch (RuntimeException e) {
      log.warn("flow close handling failed for {}", flow.id(), e);
    }
  }

  /**
   * An in-dialog request following our Record-Route: To tag, top Route ours, and a Request-URI that
   * is a remote target (a Contact or GRUU), not one of our AORs. The last condition stops a forged
   * To tag plus {@code Route: <sip:our-domain;lr>} from skipping the challenge for a request the
   * proxy would route by AOR lookup.
   */
  private boolean inDialogViaUs(SipRequest request, Flow flow) {
    if (request.to().tag() == null) {
      return false;
    }
    List<NameAddr> routes = request.routes();
    if (routes.isEmpty()
        || !(routes.get(0).uri() instanceof SipUri top)
        || !isOurHost(top.host(), flow)) {
      return false;
    }
    return !(request.requestUri() instanceof SipUri ruri
        && ruri.user() != null
        && domains.contains(ruri.host().toLowerCase(Locale.ROOT))
        && ruri.param("gr") == null);
  }

  private boolean requestUriIsOurs(Uri uri, Flow flow) {
    // tel: URIs name no domain; whether they can be routed is the proxy's business.
    return !(uri instanceof SipUri sip) || isOurHost(sip.host(), flow);
  }

  private boolean isOurHost(String host, Flow flow) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (domains.contains(h) || localHosts.contains(h)) {
      return true;
    }
    var local = flow.local().getAddress();
    return local != null && local.getHostAddress().equalsIgnoreCase(h);
  }

  private static List<String> unsupported(
      SipRequest request, HeaderName header, Set<String> known) {
    List<String> out = new ArrayList<>();
    for (String tag : request.headerValues(header)) {
      String t = tag.strip().toLowerCase(Locale.ROOT);
      if (!t.isEmpty() && !known.contains(t) && !out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  private static SipResponse badExtension(SipRequest request, List<String> tags) {
    SipResponse.Builder b =
        SipResponse.forRequest(request, 420, "Bad Extension").toTag(TransactionLayer.newTag());
    b.add(HeaderName.UNSUPPORTED, String.join(", ", tags));
    return b.build();
  }

  private static SipResponse optionsOk(SipRequest request) {
    return SipResponse.forRequest(request, 200, "OK")
        .toTag(TransactionLayer.newTag())
        .add(HeaderName.ALLOW, ALLOW)
        .add(HeaderName.ACCEPT, "application/sdp")
        .add(HeaderName.SUPPORTED, "outbound")
        .build();
  }

  private static SipResponse simple(SipRequest request, int status, String reason) {
    return SipResponse.forRequest(request, status, reason).toTag(TransactionLayer.newTag()).build();
  }

  /** Runs {@code then} on the context when {@code future} completes; failures become a 500. */
  private <T> void whenDone(
      Future<T> future, ServerTransaction tx, SipRequest request, Consumer<T> then) {
    future.onComplete(
        ar ->
            onContext.execute(
                () -> {
                  try {
                    if (ar.succeeded()) {
                      then.accept(ar.result());
                    } else {
                      fail(tx, request, ar.cause());
                    }
                  } catch (RuntimeException e) {
                    fail(tx, request, e);
                  }
                }));
  }

  private static void respond(ServerTransaction tx, SipResponse response) {
    tx.respond(response);
  }

  private static void fail(ServerTransaction tx, SipRequest request, Throwable e) {
    SipResponse last = tx.lastResponse();
    if (unavailable(e) instanceof ServiceUnavailableException u) {
      log.warn("{} {}: 503, {}", request.method(), request.callId(), u.getMessage());
      if (last == null || last.statusCode() < 200) {
        tx.respond(
            SipResponse.forRequest(request, 503, "Service Unavailable")
                .toTag(TransactionLayer.newTag())
                .add(HeaderName.RETRY_AFTER, Long.toString(Math.max(1, u.retryAfter().toSeconds())))
                .build());
      }
      return;
    }
    log.error("{} {} failed", request.method(), request.callId(), e);
    if (last == null || last.statusCode() < 200) {
      try {
        tx.respond(simple(request, 500, "Server Internal Error"));
      } catch (RuntimeException again) {
        log.warn("could not send 500", again);
      }
    }
  }

  private static @Nullable Throwable unavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ServiceUnavailableException) {
        return t;
      }
    }
    return null;
  }

  private static Set<String> lower(Set<String> hosts) {
    Set<String> out = new java.util.HashSet<>();
    for (String h : hosts) {
      out.add(h.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(out);
  }
}
