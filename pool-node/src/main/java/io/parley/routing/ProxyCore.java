package io.parley.routing;

import io.parley.app.PoolPeers;
import io.parley.app.RequestRouter;
import io.parley.node.SipNode;
import io.parley.registrar.Binding;
import io.parley.registrar.LocationStore;
import io.parley.sip.message.HeaderName;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipParseException;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.SipUri;
import io.parley.sip.message.Uri;
import io.parley.sip.message.Via;
import io.parley.sip.transaction.ClientTransaction;
import io.parley.sip.transaction.Destination;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.SipTimers;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.TransactionState;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.Transport;
import io.parley.sip.transport.ViaHeaders;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful proxy (RFC 3261 §16) for every request that is not for the server itself.
 *
 * <h2>Routing a request</h2>
 *
 * <ol>
 *   <li>Max-Forwards 0 → 483; a request carrying a Via of one of our live client transactions whose
 *       loop hash (Request-URI, From/To tags, Call-ID, CSeq, Proxy-Require, Proxy-Authorization)
 *       equals this request's → 482 (§16.3 step 4; a changed Request-URI is a spiral and goes on).
 *   <li>Our Route entries are popped (§16.4: loose routing; a strict-routing previous hop that put
 *       our Record-Route URI into the Request-URI gets the last Route moved back into the
 *       Request-URI). Ours = host is one of our transport's sent-by hosts, a {@link ProxyIdentity}
 *       alias or one of our domains, and the port (if any) is one of ours.
 *   <li>The target: (a) the flow token of the last popped Route of ours, when its connection is
 *       still open; (b) else the next (foreign) Route; (c) else, for an in-dialog request, a
 *       Request-URI naming this node, or one in our domain with URI parameters (GRUU-like), a
 *       binding whose Contact is the Request-URI ({@link LocationStore#findByContact}); (d) else,
 *       for {@code user@our-domain}, every binding of the AOR (parallel fork; none → 404 if the
 *       user is unknown, 480 if known); (e) else a foreign host, only for an authenticated sender
 *       and only DNS-less (an IP literal or {@code localhost}; anything else → 404, federation
 *       comes later).
 *   <li>Each branch: Request-URI = the binding's Contact (forks only), Max-Forwards decremented,
 *       our credentials ({@code Proxy-Authorization}) removed, Record-Route added for
 *       dialog-creating requests, sent in a client transaction (which pushes our Via) over the
 *       binding's own connection (TCP/TLS, found by flow id) or to its address (UDP).
 * </ol>
 *
 * <h2>Record-Route and flow tokens</h2>
 *
 * INVITE, SUBSCRIBE and REFER outside a dialog get <em>two</em> Record-Route entries (RFC 5658
 * double record-routing, always, so the rule is the same whatever the transports): the lower one
 * faces the caller, {@code <sip:TOKEN@our-host:port;transport=<caller's>;lr>}, the top one faces
 * the callee (its own transport). Each user part is a {@link FlowTokens flow token} naming the hop
 * to that side (the caller's connection or UDP address, the binding's connection or address). A UA
 * sends in-dialog requests to the first entry of its route set, which is the one facing it, so the
 * request arrives with both Routes; both are popped and the token of the <em>last</em> one names
 * the other side's hop. This reaches clients behind NAT over the connection they opened (SIPE puts
 * an unroutable GRUU-ish Contact in the Request-URI, ms-sip-lcs2005 §7.5) and needs no dialog state
 * in the proxy. If that connection has closed, routing falls back to (b)-(e) above.
 *
 * <h2>Responses</h2>
 *
 * Our Via is popped (the transaction layer does not). Provisionals (not 100) are forwarded; for
 * INVITE every 2xx is forwarded (§16.7 step 4), the first one CANCELs the other branches; for other
 * methods the first 2xx wins and later ones are dropped. 6xx on an INVITE CANCELs the other
 * branches. When every branch has a final response and none was 2xx, the best one is returned
 * ({@link BestResponse}). Timeouts come from the client transactions (synthetic 408); an INVITE
 * branch that only rings is ended by timer C (3 min: CANCEL and count it as 408).
 *
 * <h2>CANCEL</h2>
 *
 * The caller's CANCEL gets 200 and the INVITE 487 at once (same To tag, as the transaction layer's
 * default); each pending branch is CANCELled once it has had a provisional response (RFC 3261
 * §9.1). A 2xx arriving after that is still forwarded to the caller (statelessly on the caller's
 * flow) so it can ACK and BYE.
 *
 * <h2>Threading</h2>
 *
 * Every method must be called on the transaction layer's context (the dispatcher's callbacks are).
 * Location and user look-ups may complete elsewhere; their continuations hop back to the context
 * captured when the request arrived. No exception escapes; an internal error answers 500.
 */
public final class ProxyCore implements RequestRouter {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyCore.class);
  private static final Logger DROPPED = LoggerFactory.getLogger("event.message-dropped");

  /** RFC 3261 §16.6 step 11: greater than 3 minutes. */
  static final Duration TIMER_C = Duration.ofSeconds(181);

  private static final Set<String> DIALOG_CREATING = Set.of("INVITE", "SUBSCRIBE", "REFER");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final TransactionLayer transactions;
  private final SipTransport transport;
  private final SipTimers timers;
  private final LocationStore locations;
  private final Set<String> domains;
  private final ProxyIdentity identity;
  private final UserExistence users;
  private final FlowTokens tokens;
  private final String poolRouteHost;

  // Proxy transactions still without a final response upstream, by server transaction id (CANCEL).
  private final Map<String, ProxyTx> pending = new HashMap<>();
  // Branch (our Via branch) of each live client transaction -> loop hash of the request it carries.
  private final Map<String, String> loopHashByBranch = new HashMap<>();

  /**
   * @param transactions the transaction layer (client transactions, CANCEL, ACK)
   * @param transport the transport below it (open flows, our sent-by address)
   * @param timers clock for timer C (the transaction layer's timers)
   * @param locations where registrations live
   * @param domains the domains we are authoritative for (case-insensitive)
   * @param identity node id and host aliases
   * @param users "is this AOR a user of ours" (404 vs 480)
   */
  public ProxyCore(
      TransactionLayer transactions,
      SipTransport transport,
      SipTimers timers,
      LocationStore locations,
      Set<String> domains,
      ProxyIdentity identity,
      UserExistence users) {
    this(transactions, transport, timers, locations, domains, identity, users, null);
  }

  /**
   * @param flowTokenKey the pool-wide key of flow tokens (>= 16 bytes), or null for a key of this
   *     process only (a lone node)
   */
  public ProxyCore(
      TransactionLayer transactions,
      SipTransport transport,
      SipTimers timers,
      LocationStore locations,
      Set<String> domains,
      ProxyIdentity identity,
      UserExistence users,
      byte @Nullable [] flowTokenKey) {
    this.tokens = flowTokenKey == null ? new FlowTokens() : new FlowTokens(flowTokenKey);
    this.transactions = transactions;
    this.transport = transport;
    this.timers = timers;
    this.locations = locations;
    this.domains =
        domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.identity = identity;
    this.users = users;
    // Any served domain names every member: a Route to it is popped as ours by whoever gets it.
    this.poolRouteHost = this.domains.stream().sorted().findFirst().orElse("invalid");
  }

  /**
   * The node's router factory: a ProxyCore over the node's layers, serving its domains, knowing
   * itself by its transport host and advertised host besides the sent-by address.
   */
  public static SipNode.RouterFactory factory(UserExistence users) {
    return s -> {
      Set<String> aliases = new java.util.HashSet<>();
      String host = s.config().transport().host();
      if (!host.equals("0.0.0.0") && !host.equals("::")) {
        aliases.add(host);
      }
      String advertised = s.config().transport().advertisedHost();
      if (advertised != null) {
        aliases.add(advertised);
      }
      return new ProxyCore(
          s.transactions(),
          s.transport(),
          new VertxSipTimers(s.vertx(), s.context()),
          s.locations(),
          Set.copyOf(s.config().domains()),
          new ProxyIdentity(s.config().nodeId(), aliases),
          users);
    };
  }

  // ------------------------------------------------------------------ entry points

  @Override
  public void onRequest(
      ServerTransaction tx, SipRequest request, Flow flow, @Nullable String authenticatedAor) {
    ProxyTx p = new ProxyTx(tx, request, flow, authenticatedAor, Vertx.currentContext());
    try {
      if (request.isMethod("ACK")) {
        onAck2xx(
            request, flow); // the layer sends ACKs to onAck; tolerate a dispatcher that does not
        return;
      }
      if (request.isMethod("CANCEL")) {
        reply(p, 481, "Call/Transaction Does Not Exist"); // a matching CANCEL goes to onCancel
        return;
      }
      start(p);
    } catch (RuntimeException e) {
      fail(p, e);
    }
  }

  @Override
  public void onAck2xx(SipRequest ack, Flow flow) {
    try {
      forwardAck(ack, flow);
    } catch (RuntimeException e) {
      LOG.warn("ACK {} from {} not forwarded", ack.callId(), flow.id(), e);
    }
  }

  @Override
  public void onCancel(ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {
    try {
      // RFC 3261 §9.2: the 200 to the CANCEL and the 487 carry the same To tag.
      String tag = TransactionLayer.newTag();
      SipResponse.Builder ok = SipResponse.forRequest(cancel, 200, "OK");
      if (cancel.to().tag() == null) {
        ok.toTag(tag); // a re-INVITE's CANCEL keeps the dialog's tag
      }
      cancelTx.respond(ok.build());
      ProxyTx p = pending.get(invite.id());
      if (invite.state() == TransactionState.PROCEEDING) {
        SipResponse.Builder terminated =
            SipResponse.forRequest(invite.request(), 487, "Request Terminated");
        if (invite.request().to().tag() == null) {
          terminated.toTag(tag);
        }
        invite.respond(terminated.build());
      }
      if (p != null) {
        p.cancelled = true;
        finished(p);
        for (Branch b : p.branches) {
          if (!b.done) {
            cancelBranch(b);
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("CANCEL {} failed", cancel.callId(), e);
    }
  }

  // ------------------------------------------------------------------ request path

  private void start(ProxyTx p) {
    SipRequest request = p.request;
    if (request.maxForwards() == 0) {
      reply(p, 483, "Too Many Hops");
      return;
    }
    p.loopHash = loopHash(request);
    for (Via v : request.vias()) {
      String branch = v.branch();
      if (branch != null && p.loopHash.equals(loopHashByBranch.get(branch))) {
        DROPPED.info("482 loop: {} {} from {}", request.method(), request.callId(), p.flow.id());
        reply(p, 482, "Loop Detected");
        return;
      }
    }
    Routed routed = popOurRoutes(request);
    p.base = routed.request;
    pending.put(p.server.id(), p);
    plan(p, routed)
        .onComplete(
            ar ->
                onContext(
                    p,
                    () -> {
                      if (ar.failed()) {
                        fail(p, ar.cause());
                      } else {
                        execute(p, ar.result());
                      }
                    }));
  }

  /** The request with our Route entries removed and the hop named by the last token among them. */
  private record Routed(SipRequest request, @Nullable Hop tokenHop) {}

  private Routed popOurRoutes(SipRequest request) {
    List<NameAddr> routes = new ArrayList<>(request.routes());
    Uri ruri = request.requestUri();
    Hop last = null;
    boolean changed = false;
    // §16.4: a strict-routing previous hop put our Record-Route URI into the Request-URI.
    if (!routes.isEmpty() && ruri instanceof SipUri s && isOurs(s)) {
      Hop h = tokens.decode(s.user());
      if (h != null) {
        last = h;
        ruri = routes.removeLast().uri();
        changed = true;
      }
    }
    while (!routes.isEmpty() && routes.getFirst().uri() instanceof SipUri s && isOurs(s)) {
      routes.removeFirst();
      Hop h = tokens.decode(s.user());
      if (h != null) {
        last = h;
      }
      changed = true;
    }
    if (!changed) {
      return new Routed(request, null);
    }
    SipRequest.Builder b = request.toBuilder().requestUri(ruri);
    b.remove(HeaderName.ROUTE);
    for (NameAddr r : routes) {
      b.add(HeaderName.ROUTE, r.toString());
    }
    return new Routed(b.build(), last);
  }

  /** What to do with a request: forward to targets, or answer it ourselves. */
  private sealed interface Plan {
    record Forward(List<Target> targets) implements Plan {}

    record Reject(int status, String reason) implements Plan {}
  }

  /**
   * One branch target.
   *
   * @param requestUri the new Request-URI (a binding's Contact), or null to keep it
   */
  private record Target(@Nullable Uri requestUri, Hop hop, @Nullable String route) {
    Target(@Nullable Uri requestUri, Hop hop) {
      this(requestUri, hop, null);
    }
  }

  private Future<Plan> plan(ProxyTx p, Routed routed) {
    SipRequest request = routed.request;
    Hop token = routed.tokenHop;
    if (token != null && usable(token)) {
      return forward(new Target(null, token));
    }
    List<NameAddr> routes = request.routes();
    if (!routes.isEmpty()) {
      Uri next = routes.getFirst().uri();
      Hop h = next instanceof SipUri s ? resolveDnsLess(s) : null;
      return h == null
          ? reject(404, "Not Found (cannot resolve the next Route)")
          : forward(new Target(null, h));
    }
    if (!(request.requestUri() instanceof SipUri uri)) {
      return reject(416, "Unsupported URI Scheme");
    }
    boolean ourDomain = uri.user() != null && domains.contains(host(uri));
    boolean toUs = isOurAddress(uri);
    boolean inDialog = request.to().tag() != null;
    Future<@Nullable Binding> byContact =
        toUs || inDialog || (ourDomain && !uri.params().isEmpty())
            ? locations.findByContact(uri.toString())
            : Future.succeededFuture(null);
    return byContact.compose(
        binding -> {
          Target t = binding == null ? null : targetOf(binding, null);
          if (t != null) {
            return forward(t);
          }
          if (ourDomain) {
            return forkToAor(uri);
          }
          if (toUs || domains.contains(host(uri))) {
            return reject(404, "Not Found");
          }
          if (p.authenticatedAor == null) {
            return reject(403, "Forbidden (no relaying)");
          }
          Hop foreign = resolveDnsLess(uri);
          return foreign == null
              ? reject(404, "Not Found (unknown domain)")
              : forward(new Target(null, foreign));
        });
  }

  private Future<Plan> forkToAor(SipUri uri) {
    String aor = "sip:" + uri.user() + "@" + host(uri);
    return locations
        .lookup(aor)
        .compose(
            bindings -> {
              List<Target> targets = new ArrayList<>();
              for (Binding b : bindings) {
                Uri contact = parseUri(b.contactUri());
                Target t = contact == null ? null : targetOf(b, contact);
                if (t != null) {
                  targets.add(t);
                }
              }
              if (!targets.isEmpty()) {
                return Future.succeededFuture((Plan) new Plan.Forward(targets));
              }
              if (!bindings.isEmpty()) {
                return reject(480, "Temporarily Unavailable");
              }
              return users
                  .exists(aor)
                  // The directory is unreachable: say "not now" rather than "no such user".
                  .recover(e -> Future.succeededFuture(Boolean.TRUE))
                  .map(
                      known ->
                          (Plan)
                              (Boolean.TRUE.equals(known)
                                  ? new Plan.Reject(480, "Temporarily Unavailable")
                                  : new Plan.Reject(404, "Not Found")));
            });
  }

  private static Future<Plan> forward(Target t) {
    return Future.succeededFuture(new Plan.Forward(List.of(t)));
  }

  private static Future<Plan> reject(int status, String reason) {
    return Future.succeededFuture(new Plan.Reject(status, reason));
  }

  private void execute(ProxyTx p, Plan plan) {
    if (p.cancelled || p.finalSent) {
      return; // CANCELled while we looked up the target: 487 already sent
    }
    switch (plan) {
      case Plan.Reject r -> reply(p, r.status(), r.reason());
      case Plan.Forward f -> fork(p, f.targets());
    }
  }

  private void fork(ProxyTx p, List<Target> targets) {
    SipRequest base = p.base;
    int mf = base.maxForwards();
    boolean recordRoute = DIALOG_CREATING.contains(base.method()) && base.to().tag() == null;
    p.forking = true;
    for (Target t : targets) {
      SipRequest.Builder b = base.toBuilder();
      if (t.requestUri() != null) {
        b.requestUri(t.requestUri());
      }
      b.set(HeaderName.MAX_FORWARDS, Integer.toString(mf < 0 ? 70 : mf - 1));
      if (t.route() != null) {
        b.addFirst(HeaderName.ROUTE, t.route());
      }
      if (p.authenticatedAor != null) {
        b.remove(HeaderName.PROXY_AUTHORIZATION); // our realm's credentials stop here
      }
      if (recordRoute) {
        b.addFirst(HeaderName.RECORD_ROUTE, recordRoute(Hop.of(p.flow)));
        b.addFirst(HeaderName.RECORD_ROUTE, recordRoute(t.hop()));
      }
      Branch br = new Branch(p);
      p.branches.add(br);
      ClientTransaction ct = send(b.build(), t.hop(), r -> onBranchResponse(br, r));
      if (ct == null) {
        // The binding's connection is gone (its removal is on the way): the user is offline there.
        br.done = true;
        p.finals.add(
            SipResponse.forRequest(base, 480, "Temporarily Unavailable")
                .toTag(TransactionLayer.newTag())
                .build());
        continue;
      }
      br.ct = ct;
      if (!br.done) {
        br.branch = ct.branch();
        loopHashByBranch.put(ct.branch(), p.loopHash);
        if (p.invite) {
          br.timerC = timers.schedule(TIMER_C, () -> timerC(br));
        }
      }
    }
    p.forking = false;
    maybeFinish(p);
  }

  private @Nullable ClientTransaction send(SipRequest request, Hop hop, BranchHandler handler) {
    if (hop.pinned()) {
      Flow f = transport.flows().find(hop.flowId());
      return f == null ? null : transactions.sendRequest(request, f, handler::on);
    }
    return transactions.sendRequest(
        request, new Destination(hop.host(), hop.port(), hop.transport()), handler::on);
  }

  @FunctionalInterface
  private interface BranchHandler {
    void on(SipResponse response);
  }

  // ------------------------------------------------------------------ responses

  private void onBranchResponse(Branch br, SipResponse response) {
    ProxyTx p = br.proxy;
    try {
      handleBranchResponse(br, p, response);
    } catch (RuntimeException e) {
      fail(p, e);
    }
  }

  private void handleBranchResponse(Branch br, ProxyTx p, SipResponse response) {
    int code = response.statusCode();
    // A downstream that dropped the Vias below ours gets its status relayed on a response of ours.
    SipResponse up =
        response.vias().size() > 1
            ? popVia(response)
            : response(p.request, code, response.reasonPhrase());
    if (code < 200) {
      br.provisional = true;
      if (br.timerC != null && !br.done) {
        br.timerC.cancel(); // §16.7 step 2: reset timer C on each provisional
        br.timerC = timers.schedule(TIMER_C, () -> timerC(br));
      }
      if (br.cancelWanted) {
        cancelBranch(br);
      }
      if (code > 100 && !p.finalSent) {
        p.server.respond(up);
      }
      return;
    }
    if (code < 300) {
      boolean first = !br.done;
      if (first) {
        branchDone(br);
      }
      if (p.invite) {
        forward2xx(p, up); // every 2xx, retransmissions included (§16.7 step 4, RFC 6026)
        if (!p.finalSent) {
          finished(p);
          for (Branch other : p.branches) {
            if (other != br && !other.done) {
              cancelBranch(other);
            }
          }
        }
      } else if (!p.finalSent) {
        finished(p);
        p.server.respond(up);
      }
      return;
    }
    if (br.done) {
      return; // e.g. the real answer after timer C counted the branch as 408
    }
    branchDone(br);
    if (p.finalSent) {
      return;
    }
    p.finals.add(up);
    if (code >= 600 && p.invite) {
      for (Branch other : p.branches) {
        if (!other.done) {
          cancelBranch(other);
        }
      }
    }
    maybeFinish(p);
  }

  private void forward2xx(ProxyTx p, SipResponse up) {
    TransactionState s = p.server.state();
    if (s == TransactionState.PROCEEDING || s == TransactionState.ACCEPTED) {
      p.server.respond(up);
    } else {
      // After a CANCEL's 487 (or timer L): still let the caller see it, so it can ACK and BYE.
      transport.sendResponse(up, p.server.flow());
    }
  }

  private void maybeFinish(ProxyTx p) {
    if (p.forking || p.finalSent) {
      return;
    }
    for (Branch b : p.branches) {
      if (!b.done) {
        return;
      }
    }
    finished(p);
    if (p.finals.isEmpty()) {
      p.server.respond(response(p.request, 480, "Temporarily Unavailable"));
    } else {
      p.server.respond(BestResponse.select(p.finals));
    }
  }

  private void timerC(Branch br) {
    if (br.done) {
      return;
    }
    ProxyTx p = br.proxy;
    try {
      cancelBranch(br);
      branchDone(br);
      if (!p.finalSent) {
        p.finals.add(response(p.base, 408, "Request Timeout"));
        maybeFinish(p);
      }
    } catch (RuntimeException e) {
      fail(p, e);
    }
  }

  private void cancelBranch(Branch br) {
    ClientTransaction ct = br.ct;
    if (br.cancelSent || ct == null || !br.proxy.invite) {
      return;
    }
    if (!br.provisional) {
      br.cancelWanted = true; // §9.1: no CANCEL before a provisional response
      return;
    }
    br.cancelSent = true;
    transactions.sendCancel(ct, r -> {});
  }

  private void branchDone(Branch br) {
    br.done = true;
    if (br.timerC != null) {
      br.timerC.cancel();
      br.timerC = null;
    }
    if (br.branch != null) {
      loopHashByBranch.remove(br.branch);
    }
  }

  private void finished(ProxyTx p) {
    p.finalSent = true;
    pending.remove(p.server.id(), p);
  }

  // ------------------------------------------------------------------ ACK for 2xx

  private void forwardAck(SipRequest ack, Flow flow) {
    if (ack.maxForwards() == 0) {
      DROPPED.info("ACK {} from {}: Max-Forwards 0", ack.callId(), flow.id());
      return;
    }
    Routed routed = popOurRoutes(ack);
    SipRequest base = routed.request;
    Context ctx = Vertx.currentContext();
    Hop token = routed.tokenHop;
    Future<@Nullable Target> target;
    if (token != null && usable(token)) {
      target = Future.succeededFuture(new Target(null, token));
    } else if (!base.routes().isEmpty()) {
      Uri next = base.routes().getFirst().uri();
      target =
          Future.succeededFuture(next instanceof SipUri s ? targetOf(resolveDnsLess(s)) : null);
    } else if (base.requestUri() instanceof SipUri uri) {
      target =
          locations
              .findByContact(uri.toString())
              .map(
                  b ->
                      b != null
                          ? targetOf(b, null)
                          : isOurs(uri) ? null : targetOf(resolveDnsLess(uri)));
    } else {
      target = Future.succeededFuture(null);
    }
    target.onComplete(
        ar ->
            onContext(
                ctx,
                () -> {
                  Target t = ar.succeeded() ? ar.result() : null;
                  if (t == null) {
                    DROPPED.info("ACK {} from {}: no route", ack.callId(), flow.id());
                    return;
                  }
                  sendAck(
                      t.route() == null
                          ? base
                          : base.toBuilder().addFirst(HeaderName.ROUTE, t.route()).build(),
                      t.hop());
                }));
  }

  private void sendAck(SipRequest ack, Hop hop) {
    int mf = ack.maxForwards();
    // Stateless (§16.11): the branch is derived from the ACK so its retransmissions share it.
    Via top = ack.topVia();
    String seed =
        top.hasRfc3261Branch()
            ? top.branch() + "|" + top.host() + ":" + top.port()
            : ack.callId() + "|" + ack.cseq() + "|" + ack.from().tag() + "|" + ack.to().tag();
    String via =
        "SIP/2.0/"
            + hop.transport().viaName()
            + " "
            + transport.sentByHost(hop.transport())
            + ":"
            + transport.sentByPort(hop.transport())
            + ";branch=z9hG4bK"
            + hash(seed)
            + ";rport";
    SipRequest out =
        ack.toBuilder()
            .set(HeaderName.MAX_FORWARDS, Integer.toString(mf < 0 ? 70 : mf - 1))
            .addFirst(HeaderName.VIA, via)
            .build();
    if (hop.pinned()) {
      Flow f = transport.flows().find(hop.flowId());
      if (f != null) {
        transactions.sendAck(out, f);
      }
      return;
    }
    transport.sendTo(out, hop.host(), hop.port(), hop.transport());
  }

  // ------------------------------------------------------------------ helpers

  private String recordRoute(Hop toward) {
    Transport t = toward.transport();
    return "<sip:"
        + tokens.encode(toward)
        + "@"
        + transport.sentByHost(t)
        + ":"
        + transport.sentByPort(t)
        + ";transport="
        + t.name().toLowerCase(Locale.ROOT)
        + ";lr>";
  }

  /** A hop still reachable: UDP always, a pinned connection while it is open. */
  private boolean usable(Hop hop) {
    return !hop.pinned() || transport.flows().find(hop.flowId()) != null;
  }

  private static @Nullable Target targetOf(@Nullable Hop hop) {
    return hop == null ? null : new Target(null, hop);
  }

  /**
   * The branch target for a binding. A binding held by another pool member is reached through that
   * member: the request goes over the pool link with a Route naming, in a flow token, the binding's
   * hop as seen from its member; the member pops that Route as its own and forwards on the client's
   * connection. Null when the binding's transport is unknown.
   */
  private @Nullable Target targetOf(Binding b, @Nullable Uri requestUri) {
    Hop onOwner = hopOf(b);
    if (onOwner == null) {
      return null;
    }
    if (b.nodeId().equals(identity.nodeId())) {
      return new Target(requestUri, onOwner);
    }
    Hop link = new Hop(Transport.TCP, PoolPeers.flowId(b.nodeId()), b.nodeId(), 0);
    String route = "<sip:" + tokens.encode(onOwner) + "@" + poolRouteHost + ";lr>";
    return new Target(requestUri, link, route);
  }

  private static @Nullable Hop hopOf(Binding b) {
    Transport t = Transport.fromName(b.transport());
    if (t == null) {
      return null;
    }
    return new Hop(t, t.reliable() ? b.flowId() : null, b.remoteHost(), b.remotePort());
  }

  /**
   * DNS-less resolution (no DNS on the event loop, no federation yet): an IP literal or {@code
   * localhost}; transport from {@code ;transport=}, else TLS for sips, else UDP (RFC 3263 §4.1 for
   * numeric hosts); port default 5060/5061.
   */
  private static @Nullable Hop resolveDnsLess(SipUri uri) {
    String h = ProxyIdentity.stripBrackets(uri.host());
    boolean literal =
        IPV4.matcher(h).matches()
            || (uri.host().startsWith("[") && h.indexOf(':') >= 0)
            || h.equalsIgnoreCase("localhost");
    if (!literal) {
      return null;
    }
    String host = h.equalsIgnoreCase("localhost") ? "127.0.0.1" : h;
    Transport t = Transport.fromName(uri.transport());
    if (t == null) {
      if (uri.transport() != null) {
        return null; // sctp, ws...: not spoken here
      }
      t = uri.secure() ? Transport.TLS : Transport.UDP;
    }
    int port = uri.port() > 0 ? uri.port() : t == Transport.TLS ? 5061 : 5060;
    return new Hop(t, null, host, port);
  }

  private boolean isOurs(SipUri uri) {
    return isOurAddress(uri) || (domains.contains(host(uri)) && portIsOurs(uri.port()));
  }

  private boolean isOurAddress(SipUri uri) {
    String h = host(uri);
    boolean hostOurs = identity.hostAliases().contains(h);
    for (Transport t : Transport.values()) {
      hostOurs |= ProxyIdentity.stripBrackets(transport.sentByHost(t)).equalsIgnoreCase(h);
    }
    return hostOurs && portIsOurs(uri.port());
  }

  private boolean portIsOurs(int port) {
    if (port < 0) {
      return true;
    }
    for (Transport t : Transport.values()) {
      if (transport.sentByPort(t) == port) {
        return true;
      }
    }
    return false;
  }

  private static String host(SipUri uri) {
    return ProxyIdentity.stripBrackets(uri.host()).toLowerCase(Locale.ROOT);
  }

  private static @Nullable Uri parseUri(String s) {
    try {
      return Uri.parse(s);
    } catch (SipParseException e) {
      LOG.debug("Unparseable binding contact {}", s);
      return null;
    }
  }

  private static SipResponse popVia(SipResponse r) {
    return (SipResponse) ViaHeaders.popTop(r);
  }

  /** §16.6 step 8 / §16.3 step 4: what stays the same when a request comes back to us. */
  static String loopHash(SipRequest r) {
    StringBuilder sb = new StringBuilder(256);
    sb.append(r.requestUri())
        .append('|')
        .append(r.from().tag())
        .append('|')
        .append(r.to().tag())
        .append('|')
        .append(r.callId())
        .append('|')
        .append(r.cseq().sequence())
        .append('|')
        .append(String.join(",", r.headerValues(HeaderName.PROXY_REQUIRE)))
        .append('|')
        .append(String.join(",", r.headers().all(HeaderName.PROXY_AUTHORIZATION)));
    return hash(sb.toString());
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SipResponse response(SipRequest request, int status, String reason) {
    SipResponse.Builder b = SipResponse.forRequest(request, status, reason);
    if (request.to().tag() == null) {
      b.toTag(TransactionLayer.newTag());
    }
    return b.build();
  }

  private void reply(ProxyTx p, int status, String reason) {
    finished(p);
    p.server.respond(response(p.request, status, reason));
  }

  private void fail(ProxyTx p, Throwable e) {
    LOG.warn("Proxying {} {} failed", p.request.method(), p.request.callId(), e);
    try {
      TransactionState s = p.server.state();
      if (!p.finalSent && (s == TransactionState.TRYING || s == TransactionState.PROCEEDING)) {
        reply(p, 500, "Server Internal Error");
      }
    } catch (RuntimeException again) {
      LOG.warn("Could not answer 500 to {}", p.request.callId(), again);
    }
  }

  private void onContext(ProxyTx p, Runnable r) {
    onContext(
        p.context,
        () -> {
          try {
            r.run();
          } catch (RuntimeException e) {
            fail(p, e);
          }
        });
  }

  /** Runs on the request's context: inline when already there (or in tests without Vert.x). */
  private static void onContext(@Nullable Context ctx, Runnable r) {
    if (ctx == null || Vertx.currentContext() == ctx) {
      r.run();
    } else {
      ctx.runOnContext(v -> r.run());
    }
  }

  // ------------------------------------------------------------------ state

  /** The proxy's side of one server transaction (§16: the "response context"). */
  private static final class ProxyTx {
    final ServerTransaction server;
    final SipRequest request;
    final Flow flow;
    final @Nullable String authenticatedAor;
    final @Nullable Context context;
    final boolean invite;
    final List<Branch> branches = new ArrayList<>(2);
    final List<SipResponse> finals = new ArrayList<>(2);
    SipRequest base;
    String loopHash = "";
    boolean forking;
    boolean finalSent;
    boolean cancelled;

    ProxyTx(
        ServerTransaction server,
        SipRequest request,
        Flow flow,
        @Nullable String authenticatedAor,
        @Nullable Context context) {
      this.server = server;
      this.request = request;
      this.base = request;
      this.flow = flow;
      this.authenticatedAor = authenticatedAor;
      this.context = context;
      this.invite = request.isMethod("INVITE");
    }
  }

  /** One forwarded copy of the request. */
  private static final class Branch {
    final ProxyTx proxy;
    @Nullable ClientTransaction ct;
    @Nullable String branch;
    SipTimers.@Nullable Cancellable timerC;
    boolean provisional;
    boolean done;
    boolean cancelWanted;
    boolean cancelSent;

    Branch(ProxyTx proxy) {
      this.proxy = proxy;
    }
  }
}
