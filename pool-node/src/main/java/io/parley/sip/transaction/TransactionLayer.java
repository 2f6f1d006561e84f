package io.parley.sip.transaction;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.Via;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.Transport;
import io.parley.sip.transport.ViaHeaders;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 3261 §17 transactions over a {@link SipTransport}. Not thread-safe by design: every method
 * must be called on the transport's context, where all callbacks run too (no locks needed).
 */
public final class TransactionLayer {

  private static final Logger LOG = LoggerFactory.getLogger(TransactionLayer.class);
  private static final Logger DROPPED = LoggerFactory.getLogger("event.message-dropped");
  private static final AtomicLong COUNTER = new AtomicLong();
  private static final Duration LAG_PROBE_INTERVAL = Duration.ofMillis(100);
  private static final double LAG_SMOOTHING = 0.3;

  private final SipTransport transport;
  private final SipTimers timers;
  private final TransactionOptions options;
  private final SipTimerSettings t;
  // Latest transaction per key; a credential retry links the one it supersedes via `older`.
  private final Map<String, ServerTx> servers = new HashMap<>();
  private int serverCount;
  // Server transactions still waiting for the TU's final response: the work in flight that
  // overload shedding and the hard cap measure (finished ones only absorb retransmissions).
  private int pendingServers;
  // Finished non-INVITE server transactions over UDP, in the order they finished: timer J has the
  // same length for all, so this is also expiry order and one timer serves them all. When it holds
  // more than maxCompletedTransactions the oldest is ended early (it then absorbs no more
  // retransmissions: a late retransmission is handled as a new request), which bounds memory.
  private final ArrayDeque<ServerTx> absorbing = new ArrayDeque<>();
  private SipTimers.@Nullable Cancellable absorbSweep;
  private final Map<String, ClientTx> clients = new HashMap<>();
  // Client transactions still waiting for a final response. Answered ones linger (timer K 5 s,
  // D and M 32 s) only to absorb retransmitted responses: counting them kept a node shedding for
  // seconds after an overload had ended (a pool member answered 503 to a whole 10 s step).
  private int pendingClients;
  private TransactionUser tu =
      (request, tx) -> tx.respond(response(request, 500, "No Application"));
  private BooleanSupplier loadProbe = () -> false;
  private boolean shedding;
  private boolean lagSaturated;
  private long lastLagMillis;
  private double lagEwma;
  private SipTimers.@Nullable Cancellable lagTimer;
  private boolean closed;

  public TransactionLayer(SipTransport transport, SipTimers timers, TransactionOptions options) {
    this.transport = transport;
    this.timers = timers;
    this.options = options;
    this.t = options.timers();
    transport.inboundHandler(this::onMessage);
    if (!options.overload().maxEventLoopLag().isZero()) {
      scheduleLagProbe();
    }
  }

  /** Sets the application above this layer. */
  public void transactionUser(TransactionUser user) {
    this.tu = user;
  }

  /**
   * Extra saturation signal (e.g. pool-wide load); when it says true, sheddable requests get 503.
   */
  public void loadProbe(BooleanSupplier saturated) {
    this.loadProbe = saturated;
  }

  /** Stops the lag probe. Transactions in flight keep their timers. */
  public void close() {
    closed = true;
    if (lagTimer != null) {
      lagTimer.cancel();
    }
  }

  /**
   * Client plus server transactions in the table, including finished ones absorbing retransmits.
   */
  public int activeTransactions() {
    return serverCount + clients.size();
  }

  /**
   * Transactions still doing work: server and client transactions awaiting a final response. This
   * is what overload shedding and the hard cap count.
   */
  public int transactionsInFlight() {
    return pendingServers + pendingClients;
  }

  /** True while new out-of-dialog requests are shed. */
  public boolean overloaded() {
    updateShedding();
    return shedding || lagSaturated || loadProbe.getAsBoolean();
  }

  /** Smoothed event-loop lag in milliseconds (EWMA of 100 ms probes; 0 when the probe is off). */
  public long eventLoopLagMillis() {
    return lastLagMillis;
  }

  // ---------------------------------------------------------------- client side

  /** Pushes our Via onto the request and sends it over the flow in a new client transaction. */
  public ClientTransaction sendRequest(SipRequest request, Flow flow, ResponseHandler handler) {
    String branch = newBranch();
    SipRequest withVia = pushVia(request, flow.transport(), branch);
    if (tooLargeForUdp(flow.transport(), withVia)) {
      return sendRequest(
          request, new Destination(flow.remoteHost(), flow.remotePort(), Transport.UDP), handler);
    }
    return startClient(withVia, branch, flow, null, handler);
  }

  /**
   * Pushes our Via onto the request and sends it to the destination in a new client transaction.
   */
  public ClientTransaction sendRequest(
      SipRequest request, Destination destination, ResponseHandler handler) {
    String branch = newBranch();
    SipRequest withVia = pushVia(request, destination.transport(), branch);
    if (tooLargeForUdp(destination.transport(), withVia)) {
      // RFC 3261 §18.1.1: a request over 1300 bytes that would go over UDP MUST use TCP.
      destination = new Destination(destination.host(), destination.port(), Transport.TCP);
      withVia = pushVia(request, Transport.TCP, branch);
    }
    return startClient(withVia, branch, null, destination, handler);
  }

  private boolean tooLargeForUdp(Transport transport, SipRequest request) {
    return transport == Transport.UDP
        && request.toBytes().length > this.transport.maxUdpMessageBytes();
  }

  /** Sends a CANCEL (RFC 3261 §9.1) for a pending INVITE client transaction. */
  public ClientTransaction sendCancel(ClientTransaction invite, ResponseHandler handler) {
    ClientTx inv = (ClientTx) invite;
    SipRequest req = inv.request;
    SipRequest.Builder b = SipRequest.builder("CANCEL", req.requestUri());
    b.add(HeaderName.VIA, req.topVia().toString());
    for (String route : req.headerValues(HeaderName.ROUTE)) {
      b.add(HeaderName.ROUTE, route);
    }
    b.add(HeaderName.MAX_FORWARDS, "70");
    b.add(HeaderName.FROM, Objects.requireNonNull(req.header(HeaderName.FROM)));
    b.add(HeaderName.TO, Objects.requireNonNull(req.header(HeaderName.TO)));
    b.add(HeaderName.CALL_ID, req.callId());
    b.add(HeaderName.CSEQ, req.cseq().sequence() + " CANCEL");
    inv.cancelSent();
    return startClient(b.build(), inv.branch, inv.flow, inv.destination, handler);
  }

  /** Sends an ACK for a 2xx statelessly (the TU's job per RFC 3261 §13.2.2.4). */
  public Future<Void> sendAck(SipRequest ackFor2xx, Flow flow) {
    return transport.send(ackFor2xx, flow);
  }

  /**
   * Forwards a request statelessly (RFC 3261 §16.11): Via with a branch derived from the incoming
   * one.
   */
  public Future<Void> forwardStateless(SipRequest request, Destination destination) {
    Via top = request.topVia();
    String seed =
        top.hasRfc3261Branch()
            ? top.branch() + "|" + top.host() + ":" + top.port()
            : request.requestUri() + "|" + request.callId() + "|" + request.cseq() + "|" + top;
    String branch = "z9hG4bK" + HexFormat.of().formatHex(sha256(seed), 0, 12);
    SipRequest withVia = pushVia(request, destination.transport(), branch);
    return transport
        .sendTo(withVia, destination.host(), destination.port(), destination.transport())
        .mapEmpty();
  }

  /** Forwards a response statelessly: pops our Via and sends it per the next one. */
  public Future<Void> forwardResponseStateless(SipResponse response) {
    if (response.vias().size() < 2) {
      return Future.failedFuture("response has no Via left after ours");
    }
    SipResponse popped = (SipResponse) ViaHeaders.popTop(response);
    return transport.sendResponse(popped);
  }

  private ClientTransaction startClient(
      SipRequest request,
      String branch,
      @Nullable Flow flow,
      @Nullable Destination destination,
      ResponseHandler handler) {
    ClientTx tx = new ClientTx(request, branch, flow, destination, handler);
    if (transactionsInFlight() >= options.maxTransactions()) {
      tx.state = TransactionState.TERMINATED;
      timers.schedule(
          Duration.ZERO,
          () -> tx.deliver(response(request, 503, "Service Unavailable (transaction table full)")));
      return tx;
    }
    clients.put(tx.key, tx);
    pendingClients++;
    tx.start();
    return tx;
  }

  private SipRequest pushVia(SipRequest request, Transport tp, String branch) {
    String via =
        "SIP/2.0/"
            + tp.viaName()
            + " "
            + transport.sentByHost(tp)
            + ":"
            + transport.sentByPort(tp)
            + ";branch="
            + branch
            + ";rport";
    return request.withTopVia(via);
  }

  // ---------------------------------------------------------------- inbound

  private void onMessage(SipMessage message, Flow flow) {
    try {
      switch (message) {
        case SipRequest r -> onRequest(r, flow);
        case SipResponse r -> onResponse(r, flow);
      }
    } catch (RuntimeException e) {
      // A broken TU or an odd message must not take the event loop down.
      LOG.warn("Error handling message from {}", flow.id(), e);
    }
  }

  private void onResponse(SipResponse response, Flow flow) {
    Via top = response.topVia();
    String key = top.branch() + "|" + response.cseq().method();
    ClientTx tx = clients.get(key);
    if (tx == null) {
      tu.onStrayResponse(response, flow);
    } else {
      tx.onResponse(response);
    }
  }

  private void onRequest(SipRequest request, Flow flow) {
    if (request.isMethod("ACK")) {
      onAck(request, flow);
      return;
    }
    String key = serverKey(request, request.method());
    ServerTx latest = servers.get(key);
    for (ServerTx t = latest; t != null; t = t.older) {
      if (t.isRetransmission(request)) {
        t.onRetransmission();
        return;
      }
    }
    if (latest != null && latest.matchesIgnoringCredentials(request) && !latest.challenged()) {
      // Other credentials but the newest transaction was not challenged (still in progress, or
      // answered otherwise): a resend whose credentials the client rebuilt (SIPp does), not a
      // retry. Processing it again answered 500 Out Of Order CSeq under load.
      latest.onRetransmission();
      return;
    }
    if (!admit(request, flow)) {
      return;
    }
    // Same key, other credentials, after a 401/407 challenge: SIPE's retry (same branch and CSeq,
    // ms-sip-lcs2005 §4.1) is a new transaction. The one it supersedes stays reachable for its
    // own retransmissions and ACK until its timers end it.
    ServerTx tx = new ServerTx(key, request, flow);
    tx.older = latest;
    servers.put(key, tx);
    serverCount++;
    pendingServers++;
    if (request.isMethod("CANCEL")) {
      ServerTx invite = pendingInvite(servers.get(serverKey(request, "INVITE")));
      if (invite == null || !invite.invite) {
        tx.respond(response(request, 481, "Call/Transaction Does Not Exist"));
      } else {
        tu.onCancel(tx, request, invite);
      }
      return;
    }
    if (tx.invite) {
      // Sent at once: the TU may take longer than 200 ms (RFC 3261 §17.2.1) and it stops timer A.
      tx.respond(SipResponse.forRequest(request, 100, "Trying").build());
    }
    try {
      tu.onRequest(request, tx);
    } catch (RuntimeException e) {
      LOG.warn("TransactionUser failed on {} {}", request.method(), request.callId(), e);
      if (tx.state == TransactionState.TRYING || tx.state == TransactionState.PROCEEDING) {
        tx.respond(response(request, 500, "Server Internal Error"));
      }
    }
  }

  private void onAck(SipRequest ack, Flow flow) {
    for (ServerTx tx = servers.get(serverKey(ack, "INVITE")); tx != null; tx = tx.older) {
      if (tx.invite
          && (tx.state == TransactionState.COMPLETED || tx.state == TransactionState.CONFIRMED)
          && tx.ackMatches(ack)) {
        tx.onAck();
        return;
      }
    }
    tu.onAck(ack, flow);
  }

  /**
   * The INVITE a CANCEL targets: the newest one still without a final response, else the newest.
   */
  private static @Nullable ServerTx pendingInvite(@Nullable ServerTx latest) {
    for (ServerTx t = latest; t != null; t = t.older) {
      if (t.state == TransactionState.PROCEEDING) {
        return t;
      }
    }
    return latest;
  }

  private void unlink(ServerTx tx) {
    ServerTx head = servers.get(tx.key);
    if (head == tx) {
      if (tx.older != null) {
        servers.put(tx.key, tx.older);
      } else {
        servers.remove(tx.key);
      }
      return;
    }
    for (ServerTx t = head; t != null; t = t.older) {
      if (t.older == tx) {
        t.older = tx.older;
        return;
      }
    }
  }

  private boolean admit(SipRequest request, Flow flow) {
    int total = transactionsInFlight();
    updateShedding();
    boolean refuse;
    if (total >= options.maxTransactions()) {
      refuse = true;
    } else {
      refuse =
          sheddable(request)
              && (shedding
                  || (lagSaturated && !registerOverConnection(request, flow))
                  || loadProbe.getAsBoolean());
    }
    if (refuse) {
      DROPPED.info(
          "503 overload: {} {} from {} ({} transactions, lag {} ms)",
          request.method(),
          request.callId(),
          flow.id(),
          total,
          lastLagMillis);
      SipResponse busy =
          SipResponse.forRequest(request, 503, "Service Unavailable")
              .toTag(newTag())
              .add(HeaderName.RETRY_AFTER, Integer.toString(options.overload().retryAfterSeconds()))
              .build();
      transport.sendResponse(busy, flow);
    }
    return !refuse;
  }

  /**
   * A REGISTER over TCP/TLS is not shed for event-loop lag. A sign-in on a fresh connection has
   * paid its handshake already, and a 503 makes TLS clients come back with a new connection and a
   * new handshake, the very work that lagged the loop (seen: a burst of TLS sign-ins turned into
   * thousands of 503s). A refresh keeps a client that holds a connection: refusing it saves almost
   * nothing and risks the whole sign-in coming back later (seen: 3,842 refreshes refused at 214 ms
   * of lag in the 95,000-client pool run, on a host at load 40). The watermarks and the hard cap
   * still apply to both.
   */
  private static boolean registerOverConnection(SipRequest request, Flow flow) {
    return request.isMethod("REGISTER") && flow.reliable();
  }

  /** ACK, BYE, CANCEL, PRACK and in-dialog requests free resources or finish work: never shed. */
  static boolean sheddable(SipRequest request) {
    String m = request.method();
    if (m.equals("ACK") || m.equals("BYE") || m.equals("CANCEL") || m.equals("PRACK")) {
      return false;
    }
    return request.to().tag() == null;
  }

  private void updateShedding() {
    int total = transactionsInFlight();
    OverloadPolicy p = options.overload();
    if (total >= p.highWatermark()) {
      shedding = true;
    } else if (total <= p.lowWatermark()) {
      shedding = false;
    }
  }

  private static boolean awaitingFinal(TransactionState s) {
    return s == TransactionState.TRYING || s == TransactionState.PROCEEDING;
  }

  /** Timer J for a finished non-INVITE transaction over UDP, shared by all of them. */
  private void absorb(ServerTx tx) {
    tx.absorbUntil = timers.nowMillis() + t.timeout().toMillis();
    absorbing.addLast(tx);
    while (absorbing.size() > options.maxCompletedTransactions()) {
      absorbing.pollFirst().terminate();
    }
    if (absorbSweep == null) {
      scheduleAbsorbSweep();
    }
  }

  private void scheduleAbsorbSweep() {
    ServerTx head = absorbing.peekFirst();
    if (head == null) {
      absorbSweep = null;
      return;
    }
    long delay = Math.max(0, head.absorbUntil - timers.nowMillis());
    absorbSweep = timers.schedule(Duration.ofMillis(delay), this::sweepAbsorbing);
  }

  private void sweepAbsorbing() {
    long now = timers.nowMillis();
    for (ServerTx head = absorbing.peekFirst();
        head != null && (head.absorbUntil <= now || head.state == TransactionState.TERMINATED);
        head = absorbing.peekFirst()) {
      absorbing.pollFirst().terminate();
    }
    scheduleAbsorbSweep();
  }

  private void scheduleLagProbe() {
    if (closed) {
      return;
    }
    long expected = timers.nowMillis() + LAG_PROBE_INTERVAL.toMillis();
    lagTimer =
        timers.schedule(
            LAG_PROBE_INTERVAL,
            () -> {
              long sample = Math.max(0, timers.nowMillis() - expected);
              // Smoothed so one GC or class-loading pause does not shed traffic; a sustained
              // lag (or one very long block) does.
              lagEwma = lagEwma * (1 - LAG_SMOOTHING) + sample * LAG_SMOOTHING;
              lastLagMillis = Math.round(lagEwma);
              lagSaturated =
                  lastLagMillis > options.overload().maxEventLoopLag().toMillis()
                      && transactionsInFlight() >= options.overload().minTransactionsForLag();
              scheduleLagProbe();
            });
  }

  /**
   * Server transaction key: RFC 3261 §17.2.3 for z9hG4bK branches, else the RFC 2543 fields (SIPE
   * sends in-dialog requests without a branch). ACK is keyed as INVITE; the To tag is checked
   * separately because an ACK carries the tag of our response.
   */
  static String serverKey(SipRequest request, String method) {
    Via via = request.topVia();
    String m = method.equals("ACK") ? "INVITE" : method;
    if (via.hasRfc3261Branch()) {
      return "3261|"
          + via.branch()
          + "|"
          + via.host().toLowerCase(Locale.ROOT)
          + ":"
          + via.port()
          + "|"
          + m;
    }
    return "2543|"
        + request.requestUri()
        + "|"
        + request.from().tag()
        + "|"
        + request.callId()
        + "|"
        + request.cseq().sequence()
        + "|"
        + m
        + "|"
        + via.transport()
        + " "
        + via.host().toLowerCase(Locale.ROOT)
        + ":"
        + via.port()
        + ";"
        + via.branch();
  }

  /** The credentials a request carries; a different value makes a retry a new transaction. */
  static String credentials(SipRequest request) {
    List<String> a = request.headerValues(HeaderName.AUTHORIZATION);
    List<String> p = request.headerValues(HeaderName.PROXY_AUTHORIZATION);
    if (a.isEmpty() && p.isEmpty()) {
      return "";
    }
    return String.join("\n", a) + "\n\n" + String.join("\n", p);
  }

  // ---------------------------------------------------------------- helpers

  static SipResponse response(SipRequest request, int status, String reason) {
    SipResponse.Builder b = SipResponse.forRequest(request, status, reason);
    if (request.to().tag() == null && status > 100) {
      b.toTag(newTag());
    }
    return b.build();
  }

  /** A fresh random tag for To/From. */
  public static String newTag() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffffL);
  }

  /** A fresh RFC 3261 branch. */
  public static String newBranch() {
    return "z9hG4bK"
        + Long.toHexString(ThreadLocalRandom.current().nextLong())
        + "."
        + Long.toHexString(COUNTER.incrementAndGet());
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static @Nullable String toTag(SipMessage m) {
    return m.to().tag();
  }

  private static void cancel(SipTimers.@Nullable Cancellable c) {
    if (c != null) {
      c.cancel();
    }
  }

  // ---------------------------------------------------------------- server transaction

  private final class ServerTx implements ServerTransaction {
    final String key;
    final String id = "s" + COUNTER.incrementAndGet();
    final SipRequest request;
    final Flow flow;
    final boolean invite;
    final String credentials;
    @Nullable ServerTx older;
    TransactionState state;
    @Nullable SipResponse last;
    SipTimers.@Nullable Cancellable timerG;
    SipTimers.@Nullable Cancellable timerEnd;
    Duration gInterval = t.t1();
    long absorbUntil;

    ServerTx(String key, SipRequest request, Flow flow) {
      this.key = key;
      this.request = request;
      this.flow = flow;
      this.invite = request.isMethod("INVITE");
      this.credentials = credentials(request);
      this.state = invite ? TransactionState.PROCEEDING : TransactionState.TRYING;
    }

    /** Every state change goes through here so that the in-flight count stays exact. */
    void setState(TransactionState next) {
      if (awaitingFinal(state) && !awaitingFinal(next)) {
        pendingServers--;
      }
      state = next;
    }

    boolean isRetransmission(SipRequest r) {
      return credentials.equals(credentials(r)) && matchesIgnoringCredentials(r);
    }

    boolean matchesIgnoringCredentials(SipRequest r) {
      return request.topVia().hasRfc3261Branch() || Objects.equals(toTag(request), toTag(r));
    }

    /** Its final response asked for credentials: only then may a retry open a new transaction. */
    boolean challenged() {
      SipResponse l = last;
      return l != null && (l.statusCode() == 401 || l.statusCode() == 407);
    }

    boolean ackMatches(SipRequest ack) {
      if (request.topVia().hasRfc3261Branch()) {
        return true;
      }
      SipResponse l = last;
      return l != null && Objects.equals(toTag(l), toTag(ack));
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public SipRequest request() {
      return request;
    }

    @Override
    public Flow flow() {
      return flow;
    }

    @Override
    public boolean isInvite() {
      return invite;
    }

    @Override
    public TransactionState state() {
      return state;
    }

    @Override
    public @Nullable SipResponse lastResponse() {
      return last;
    }

    @Override
    public Future<Void> respond(SipResponse response) {
      int code = response.statusCode();
      boolean provisional = code < 200;
      switch (state) {
        case TRYING, PROCEEDING -> {}
        case ACCEPTED -> {
          // RFC 6026: the TU may retransmit its 2xx through the transaction.
          if (code >= 200 && code < 300) {
            return send(response);
          }
          return Future.failedFuture("final response already sent");
        }
        default -> {
          return Future.failedFuture("transaction is " + state);
        }
      }
      last = response;
      if (provisional) {
        setState(TransactionState.PROCEEDING);
        return send(response);
      }
      if (invite && code < 300) {
        setState(TransactionState.ACCEPTED);
        timerEnd = timers.schedule(t.timeout(), this::terminate); // timer L
      } else if (invite) {
        setState(TransactionState.COMPLETED);
        if (!flow.reliable()) {
          gInterval = t.t1();
          timerG = timers.schedule(gInterval, this::timerG);
        }
        timerEnd = timers.schedule(t.timeout(), this::timerH);
      } else {
        setState(TransactionState.COMPLETED);
        if (flow.reliable()) {
          terminate(); // timer J = 0
          return send(response);
        }
        absorb(this); // timer J
      }
      return send(response);
    }

    private Future<Void> send(SipResponse response) {
      return transport
          .sendResponse(response, flow)
          .onFailure(
              e -> {
                LOG.debug(
                    "Response {} on {} failed: {}", response.statusCode(), flow.id(), e.toString());
                terminate();
                tu.onTransportError(this, e);
              });
    }

    void onRetransmission() {
      SipResponse l = last;
      boolean resend =
          switch (state) {
            case PROCEEDING, COMPLETED -> l != null;
            default -> false; // TRYING, ACCEPTED, CONFIRMED: absorb
          };
      if (resend && l != null) {
        transport.sendResponse(l, flow);
      }
    }

    void onAck() {
      if (state != TransactionState.COMPLETED) {
        return; // CONFIRMED: absorb retransmitted ACKs
      }
      setState(TransactionState.CONFIRMED);
      cancel(timerG);
      cancel(timerEnd);
      if (flow.reliable()) {
        terminate(); // timer I = 0
      } else {
        timerEnd = timers.schedule(t.t4(), this::terminate); // timer I
      }
    }

    private void timerG() {
      SipResponse l = last;
      if (state != TransactionState.COMPLETED || l == null) {
        return;
      }
      transport.sendResponse(l, flow);
      gInterval = min(gInterval.multipliedBy(2), t.t2());
      timerG = timers.schedule(gInterval, this::timerG);
    }

    private void timerH() {
      if (state == TransactionState.COMPLETED) {
        LOG.debug(
            "No ACK for {} {} on {} (timer H)", request.method(), request.callId(), flow.id());
      }
      terminate();
    }

    void terminate() {
      if (state == TransactionState.TERMINATED) {
        return;
      }
      setState(TransactionState.TERMINATED);
      cancel(timerG);
      cancel(timerEnd);
      unlink(this);
      serverCount--;
    }
  }

  // ---------------------------------------------------------------- client transaction

  private final class ClientTx implements ClientTransaction {
    final String key;
    final String id = "c" + COUNTER.incrementAndGet();
    final String branch;
    final SipRequest request;
    final @Nullable Destination destination;
    final ResponseHandler handler;
    final boolean invite;
    @Nullable Flow flow;
    TransactionState state;
    SipTimers.@Nullable Cancellable timerRetransmit;
    SipTimers.@Nullable Cancellable timerTimeout;
    SipTimers.@Nullable Cancellable timerEnd;
    Duration interval = t.t1();

    ClientTx(
        SipRequest request,
        String branch,
        @Nullable Flow flow,
        @Nullable Destination destination,
        ResponseHandler handler) {
      this.request = request;
      this.branch = branch;
      this.flow = flow;
      this.destination = destination;
      this.handler = handler;
      this.invite = request.isMethod("INVITE");
      this.key = branch + "|" + request.method();
      this.state = invite ? TransactionState.CALLING : TransactionState.TRYING;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String branch() {
      return branch;
    }

    @Override
    public SipRequest request() {
      return request;
    }

    @Override
    public TransactionState state() {
      return state;
    }

    @Override
    public @Nullable Flow flow() {
      return flow;
    }

    private boolean reliable() {
      Flow f = flow;
      if (f != null) {
        return f.reliable();
      }
      return destination != null && destination.transport().reliable();
    }

    void start() {
      transmit();
      if (!reliable()) {
        timerRetransmit = timers.schedule(interval, this::timerRetransmit); // A or E
      }
      timerTimeout = timers.schedule(t.timeout(), this::timerTimeout); // B or F
    }

    private void transmit() {
      Future<?> sent;
      Flow f = flow;
      if (f != null) {
        sent = transport.send(request, f);
      } else {
        Destination d = Objects.requireNonNull(destination);
        sent =
            transport
                .sendTo(request, d.host(), d.port(), d.transport())
                .onSuccess(opened -> flow = opened);
      }
      sent.onFailure(this::transportError);
    }

    private void transportError(Throwable e) {
      if (state == TransactionState.TERMINATED
          || state == TransactionState.COMPLETED
          || state == TransactionState.ACCEPTED) {
        return;
      }
      LOG.debug("{} {} could not be sent: {}", request.method(), request.callId(), e.toString());
      terminate();
      deliver(response(request, 503, "Service Unavailable"));
    }

    private void timerRetransmit() {
      boolean active =
          invite
              ? state == TransactionState.CALLING
              : state == TransactionState.TRYING || state == TransactionState.PROCEEDING;
      if (!active) {
        return;
      }
      transmit();
      if (invite) {
        interval = interval.multipliedBy(2); // timer A doubles without cap
      } else {
        interval =
            state == TransactionState.PROCEEDING ? t.t2() : min(interval.multipliedBy(2), t.t2());
      }
      timerRetransmit = timers.schedule(interval, this::timerRetransmit);
    }

    /**
     * RFC 3261 §9.1: a CANCELled INVITE with no final response 64*T1 later is timed out, or a
     * callee that only rings would keep it (and its entry in the table) forever.
     */
    void cancelSent() {
      if (invite && (state == TransactionState.CALLING || state == TransactionState.PROCEEDING)) {
        cancel(timerTimeout);
        timerTimeout =
            timers.schedule(
                t.timeout(),
                () -> {
                  if (state == TransactionState.CALLING || state == TransactionState.PROCEEDING) {
                    terminate();
                    deliver(response(request, 408, "Request Timeout"));
                  }
                });
      }
    }

    private void timerTimeout() {
      boolean pending =
          invite
              ? state == TransactionState.CALLING
              : state == TransactionState.TRYING || state == TransactionState.PROCEEDING;
      if (pending) {
        terminate();
        deliver(response(request, 408, "Request Timeout"));
      }
    }

    void onResponse(SipResponse response) {
      int code = response.statusCode();
      switch (state) {
        case CALLING, TRYING, PROCEEDING -> {
          if (code < 200) {
            setState(TransactionState.PROCEEDING);
            if (invite) {
              cancel(timerRetransmit);
            }
            deliver(response);
            return;
          }
          cancel(timerRetransmit);
          cancel(timerTimeout);
          if (invite && code < 300) {
            setState(TransactionState.ACCEPTED);
            timerEnd = timers.schedule(t.timeout(), this::terminate); // timer M
          } else {
            setState(TransactionState.COMPLETED);
            if (invite) {
              sendAck(response);
            }
            Duration wait = invite ? t.timerD() : t.t4(); // timer D or K
            if (reliable()) {
              terminate();
            } else {
              timerEnd = timers.schedule(wait, this::terminate);
            }
          }
          deliver(response);
        }
        case ACCEPTED -> {
          if (code >= 200 && code < 300) {
            deliver(response); // 2xx retransmissions go to the TU, which re-ACKs
          }
        }
        case COMPLETED -> {
          if (invite && code >= 300) {
            sendAck(response);
          }
        }
        default -> {}
      }
    }

    private void sendAck(SipResponse response) {
      SipRequest.Builder b = SipRequest.builder("ACK", request.requestUri());
      b.add(HeaderName.VIA, request.topVia().toString());
      for (String route : request.headerValues(HeaderName.ROUTE)) {
        b.add(HeaderName.ROUTE, route);
      }
      b.add(HeaderName.MAX_FORWARDS, "70");
      b.add(HeaderName.FROM, Objects.requireNonNull(request.header(HeaderName.FROM)));
      b.add(HeaderName.TO, Objects.requireNonNull(response.header(HeaderName.TO)));
      b.add(HeaderName.CALL_ID, request.callId());
      b.add(HeaderName.CSEQ, request.cseq().sequence() + " ACK");
      SipRequest ack = b.build();
      Flow f = flow;
      if (f != null) {
        transport.send(ack, f);
      } else if (destination != null) {
        transport.sendTo(ack, destination.host(), destination.port(), destination.transport());
      }
    }

    void deliver(SipResponse response) {
      try {
        handler.onResponse(response);
      } catch (RuntimeException e) {
        LOG.warn("Response handler failed for {} {}", request.method(), request.callId(), e);
      }
    }

    /** Every state change of a counted transaction goes through here (pendingClients exact). */
    void setState(TransactionState next) {
      if (pendingClient(state) && !pendingClient(next)) {
        pendingClients--;
      }
      state = next;
    }

    void terminate() {
      if (state == TransactionState.TERMINATED) {
        return;
      }
      setState(TransactionState.TERMINATED);
      cancel(timerRetransmit);
      cancel(timerTimeout);
      cancel(timerEnd);
      clients.remove(key, this);
    }
  }

  private static boolean pendingClient(TransactionState s) {
    return s == TransactionState.CALLING
        || s == TransactionState.TRYING
        || s == TransactionState.PROCEEDING;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
