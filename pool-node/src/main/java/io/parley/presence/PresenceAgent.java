package io.parley.presence;

import io.parley.app.SipApplication;
import io.parley.presence.pidf.Pidf;
import io.parley.presence.pidf.PidfException;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.registrar.Aors;
import io.parley.registrar.LocationStore;
import io.parley.sip.message.HeaderName;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.Uri;
import io.parley.sip.transaction.Destination;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transport.CloseReason;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The presence agent of this node (RFC 3856): the event state compositor for PUBLISH (RFC 3903) and
 * the notifier for {@code presence} and {@code presence.winfo} subscriptions (RFC 6665, RFC 3857)
 * to users of our domains. See docs/presence.md.
 *
 * <p><b>State.</b> Publications ({@link PresenceDocuments}), watcher lists ({@link
 * WatcherDirectory}) and change fan-out ({@link PresenceEvents}) are pool-wide interfaces. The
 * subscription dialogs are held here, on the node holding the watcher's flow: NOTIFYs go out over
 * that flow, in the dialog (Call-ID, tags, route set, our own CSeq).
 *
 * <p><b>NOTIFY ordering.</b> At most one NOTIFY per subscription is outstanding; changes arriving
 * meanwhile are coalesced into one NOTIFY with the state current when it is built (RFC 6665 §4.2.2
 * rate limiting, and no CSeq reordering on the wire). A failure response (or timeout) to a NOTIFY
 * ends the subscription silently.
 *
 * <p><b>Threading.</b> Requests, timers and NOTIFY responses run on the transaction layer's
 * context; events and store futures are brought back onto it. No exception escapes.
 */
public final class PresenceAgent implements SipApplication.LocalService {

  private static final Logger log = LoggerFactory.getLogger(PresenceAgent.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  static final String PRESENCE = "presence";
  static final String WINFO = "presence.winfo";
  private static final String ALLOW_EVENTS = "presence, presence.winfo";

  /**
   * Allowance for clock skew between members when trusting a view carried in an event: views
   * composed up to this long after a change that came without one are read back instead.
   */
  public static final Duration VIEW_CLOCK_MARGIN = Duration.ofSeconds(1);

  private enum Kind {
    PRESENCE,
    WINFO,
    /** A {@code presence} subscription to a resource list (RFC 4662). */
    LIST
  }

  private final Vertx vertx;
  private final Context context;
  private final TransactionLayer transactions;
  private final SipTransport transport;
  private final LocationStore locations;
  private final Set<String> domains;
  private final String nodeId;
  private final PresenceDocuments documents;
  private final PresenceEvents events;
  private final WatcherDirectory watchers;
  private final PresenceRules rules;
  private final PresenceConfig config;
  private final Clock clock;
  private final ResourceListSubscriptions lists;

  // dialog key (Call-ID|our tag|their tag) -> subscription; touched only on the context
  private final Map<String, Subscription> dialogs = new HashMap<>();
  private final Map<String, List<Subscription>> byPresentity = new HashMap<>();
  // list owner -> its list subscriptions here (re-resolved when the owner edits its lists)
  private final Map<String, List<Subscription>> listsByOwner = new HashMap<>();
  // presentity -> its allowed view while being computed (shared by the NOTIFYs of one change)
  private final Map<String, Future<@Nullable Body>> composing = new HashMap<>();
  // presentity -> views carried in events are trusted only above this version (µs, see trustedView)
  private final Map<String, Long> viewFloor = new HashMap<>();
  private final Map<String, Integer> perWatcher = new HashMap<>();
  private final AutoCloseable eventRegistration;
  private final long sweepTimer;
  private boolean closed;

  public PresenceAgent(
      Vertx vertx,
      Context context,
      TransactionLayer transactions,
      SipTransport transport,
      LocationStore locations,
      Set<String> domains,
      String nodeId,
      PresenceDocuments documents,
      PresenceEvents events,
      WatcherDirectory watchers,
      PresenceRules rules,
      PresenceConfig config,
      Clock clock) {
    this(
        vertx,
        context,
        transactions,
        transport,
        locations,
        domains,
        nodeId,
        documents,
        events,
        watchers,
        rules,
        ResourceLists.none(),
        config,
        clock);
  }

  public PresenceAgent(
      Vertx vertx,
      Context context,
      TransactionLayer transactions,
      SipTransport transport,
      LocationStore locations,
      Set<String> domains,
      String nodeId,
      PresenceDocuments documents,
      PresenceEvents events,
      WatcherDirectory watchers,
      PresenceRules rules,
      ResourceLists resourceLists,
      PresenceConfig config,
      Clock clock) {
    this.vertx = vertx;
    this.context = context;
    this.transactions = transactions;
    this.transport = transport;
    this.locations = locations;
    this.domains = Set.copyOf(domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList());
    this.nodeId = nodeId;
    this.documents = documents;
    this.events = events;
    this.watchers = watchers;
    this.rules = rules;
    this.config = config;
    this.clock = clock;
    this.lists = new ResourceListSubscriptions(resourceLists, documents, locations, rules, clock);
    this.eventRegistration = events.subscribe(e -> onContext(() -> onEvent(e)));
    transport.flows().addCloseListener(this::onFlowClosed);
    this.sweepTimer =
        vertx.setPeriodic(
            Math.max(100, config.sweepInterval().toMillis()), id -> onContext(this::sweep));
  }

  /** Number of subscriptions this node holds (for tests and metrics). */
  public int subscriptionCount() {
    return dialogs.size();
  }

  // ------------------------------------------------------------------ dispatch

  @Override
  public boolean claims(SipRequest request, Flow flow) {
    if (request.isMethod("PUBLISH")) {
      return ours(request.requestUri());
    }
    if (!request.isMethod("SUBSCRIBE")) {
      return false;
    }
    if (request.to().tag() == null) {
      return ours(request.requestUri()) && !config.relayedEvents().contains(eventPackage(request));
    }
    // A refresh of one of our dialogs; or of a dialog we no longer know (481), recognised by its
    // event package and the absence of a route set (ours never has one: we are the peer).
    String pkg = eventPackage(request);
    return dialogs.containsKey(dialogKey(request))
        || ((PRESENCE.equals(pkg) || WINFO.equals(pkg)) && request.routes().isEmpty());
  }

  @Override
  public void onRequest(ServerTransaction tx, SipRequest request, Flow flow, String aor) {
    try {
      if (closed) {
        respond(tx, simple(request, 503, "Service Unavailable"));
      } else if (request.isMethod("PUBLISH")) {
        onPublish(tx, request, aor);
      } else if (request.to().tag() == null) {
        onNewSubscribe(tx, request, flow, aor);
      } else {
        onRefresh(tx, request, aor);
      }
    } catch (RuntimeException e) {
      fail(tx, request, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    vertx.cancelTimer(sweepTimer);
    try {
      eventRegistration.close();
    } catch (Exception e) {
      log.debug("presence event registration close failed", e);
    }
    for (Subscription s : List.copyOf(dialogs.values())) {
      unregister(s);
      s.done = true;
    }
  }

  // ------------------------------------------------------------------ PUBLISH (RFC 3903)

  private void onPublish(ServerTransaction tx, SipRequest request, String aor) {
    String presentity = Aors.of(request.requestUri());
    if (!PRESENCE.equals(eventPackage(request))) {
      respond(tx, badEvent(request, "presence"));
      return;
    }
    if (presentity == null || !presentity.equals(aor)) {
      respond(tx, simple(request, 403, "Only The Presentity May Publish"));
      return;
    }
    long expires = request.expires() < 0 ? config.publishDefault().toSeconds() : request.expires();
    if (expires > 0 && expires < config.publishMin().toSeconds()) {
      respond(tx, intervalTooBrief(request, config.publishMin()));
      return;
    }
    expires = Math.min(expires, config.publishMax().toSeconds());
    String ifMatch = request.header(HeaderName.SIP_IF_MATCH);
    ifMatch = ifMatch == null ? null : ifMatch.strip();
    PresenceDocument document = null;
    if (request.bodyLength() > 0) {
      if (!Pidf.CONTENT_TYPE.equals(mediaType(request.contentType()))
          || request.header(HeaderName.CONTENT_ENCODING) != null) {
        respond(
            tx,
            SipResponse.forRequest(request, 415, "Unsupported Media Type")
                .toTag(TransactionLayer.newTag())
                .add(HeaderName.ACCEPT, Pidf.CONTENT_TYPE)
                .build());
        return;
      }
      try {
        document = Pidf.parse(request.body());
      } catch (PidfException e) {
        respond(tx, simple(request, 400, "Bad Presence Document"));
        return;
      }
    }
    Instant now = clock.instant();
    Instant expiresAt = now.plusSeconds(expires);
    PublicationChange change;
    if (ifMatch == null) {
      if (document == null) {
        respond(tx, simple(request, 400, "PUBLISH Needs A Body Or SIP-If-Match"));
        return;
      }
      if (expires == 0) {
        respond(tx, simple(request, 400, "Expires 0 Needs SIP-If-Match"));
        return;
      }
      change =
          new PublicationChange.Create(
              newEtag(), document, expiresAt, now, config.maxPublicationsPerPresentity());
    } else if (expires == 0) {
      change = new PublicationChange.Remove(ifMatch, now);
    } else if (document == null) {
      change = new PublicationChange.Refresh(ifMatch, newEtag(), expiresAt, now);
    } else {
      change = new PublicationChange.Modify(ifMatch, newEtag(), document, expiresAt, now);
    }
    long granted = expires;
    whenDone(
        documents.apply(presentity, change),
        tx,
        request,
        outcome -> {
          switch (outcome) {
            case PublishOutcome.UnknownEtag u ->
                respond(tx, simple(request, 412, "Conditional Request Failed"));
            case PublishOutcome.TooManyPublications t ->
                respond(tx, simple(request, 403, "Too Many Publications"));
            case PublishOutcome.Applied a -> {
              SipResponse.Builder ok =
                  SipResponse.forRequest(request, 200, "OK").toTag(TransactionLayer.newTag());
              if (a.publication() != null) {
                ok.add(HeaderName.SIP_ETAG, a.publication().etag());
              }
              ok.add(HeaderName.EXPIRES, Long.toString(granted));
              respond(tx, ok.build());
              if (a.viewChanged()) {
                events.publish(
                    new PresenceEvent.ViewChanged(presentity, carriedView(presentity, a)));
              }
            }
          }
        });
  }

  /**
   * The allowed view composed once here, for every member's watchers, when the store told the
   * publications afterwards. Without publications the registration state decides: receivers read
   * it.
   */
  private static PresenceEvent.@Nullable View carriedView(
      String presentity, PublishOutcome.Applied applied) {
    PublishOutcome.Snapshot after = applied.after();
    if (after == null || after.publications().isEmpty()) {
      return null;
    }
    return new PresenceEvent.View(
        after.version(),
        Pidf.write(PresenceComposer.compose(presentity, after.publications(), true)));
  }

  private static String newEtag() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // ------------------------------------------------------------------ SUBSCRIBE (RFC 6665)

  private void onNewSubscribe(ServerTransaction tx, SipRequest request, Flow flow, String aor) {
    String pkg = eventPackage(request);
    Kind kind = PRESENCE.equals(pkg) ? Kind.PRESENCE : WINFO.equals(pkg) ? Kind.WINFO : null;
    if (kind == null) {
      respond(tx, badEvent(request, ALLOW_EVENTS));
      return;
    }
    String listUri = kind == Kind.PRESENCE ? ResourceListSubscriptions.listUri(request) : null;
    if (listUri != null) {
      onListSubscribe(tx, request, flow, aor, listUri);
      return;
    }
    String presentity = Aors.of(request.requestUri());
    if (presentity == null) {
      respond(tx, simple(request, 404, "Not Found"));
      return;
    }
    if (request.contacts().isEmpty()) {
      respond(tx, simple(request, 400, "Missing Contact"));
      return;
    }
    String type = kind == Kind.PRESENCE ? Pidf.CONTENT_TYPE : WatcherInfo.CONTENT_TYPE;
    if (!accepts(request, type)) {
      respond(
          tx,
          SipResponse.forRequest(request, 406, "Not Acceptable")
              .toTag(TransactionLayer.newTag())
              .add(HeaderName.ACCEPT, type)
              .build());
      return;
    }
    long expires = subscribeExpires(tx, request);
    if (expires < 0) {
      return;
    }
    if (kind == Kind.WINFO && !presentity.equals(aor)) {
      respond(tx, simple(request, 403, "Only The Presentity May Watch Its Watchers"));
      return;
    }
    if (overLimits(tx, request, aor)) {
      return;
    }
    whenDone(
        rules.decide(presentity, aor),
        tx,
        request,
        access -> {
          if (access == WatcherAccess.NO_SUCH_PRESENTITY) {
            respond(tx, simple(request, 404, "Not Found"));
            return;
          }
          accept(tx, request, flow, kind, presentity, aor, access, expires, List.of());
        });
  }

  /** 503 + Retry-After when this node or this watcher holds too many subscriptions. */
  private boolean overLimits(ServerTransaction tx, SipRequest request, String aor) {
    if (dialogs.size() >= config.maxSubscriptions()
        || perWatcher.getOrDefault(aor, 0) >= config.maxSubscriptionsPerWatcher()) {
      respond(
          tx,
          SipResponse.forRequest(request, 503, "Service Unavailable")
              .toTag(TransactionLayer.newTag())
              .add(HeaderName.RETRY_AFTER, "60")
              .build());
      return true;
    }
    return false;
  }

  /** A new {@code presence} SUBSCRIBE whose Request-URI is a list URI (RFC 4662). */
  private void onListSubscribe(
      ServerTransaction tx, SipRequest request, Flow flow, String aor, String listUri) {
    if (!ResourceListSubscriptions.supportsEventlist(request)) {
      respond(
          tx,
          SipResponse.forRequest(request, 421, "Extension Required")
              .toTag(TransactionLayer.newTag())
              .add(HeaderName.REQUIRE, ResourceListSubscriptions.EVENTLIST)
              .build());
      return;
    }
    if (request.contacts().isEmpty()) {
      respond(tx, simple(request, 400, "Missing Contact"));
      return;
    }
    if (!accepts(request, "multipart/related")) {
      respond(
          tx,
          SipResponse.forRequest(request, 406, "Not Acceptable")
              .toTag(TransactionLayer.newTag())
              .add(
                  HeaderName.ACCEPT,
                  "multipart/related, " + Rlmi.CONTENT_TYPE + ", " + Pidf.CONTENT_TYPE)
              .build());
      return;
    }
    long expires = subscribeExpires(tx, request);
    if (expires < 0) {
      return;
    }
    if (!ResourceListSubscriptions.owner(listUri).equals(aor)) {
      respond(tx, simple(request, 403, "Only The Owner May Subscribe To A List"));
      return;
    }
    if (overLimits(tx, request, aor)) {
      return;
    }
    whenDone(
        lists.members(listUri, aor),
        tx,
        request,
        members -> {
          if (members.isEmpty()) {
            respond(tx, simple(request, 404, "No Such List"));
            return;
          }
          accept(
              tx,
              request,
              flow,
              Kind.LIST,
              listUri,
              aor,
              WatcherAccess.ALLOW,
              expires,
              members.get());
        });
  }

  private void accept(
      ServerTransaction tx,
      SipRequest request,
      Flow flow,
      Kind kind,
      String presentity,
      String watcher,
      WatcherAccess access,
      long expires,
      List<String> members) {
    String localTag = TransactionLayer.newTag();
    List<String> routeSet = new ArrayList<>();
    for (NameAddr rr : request.recordRoutes()) {
      routeSet.add(rr.toString());
    }
    Subscription sub =
        new Subscription(
            newEtag(),
            kind,
            presentity,
            watcher,
            request.from().displayName(),
            eventId(request),
            request.callId(),
            localTag,
            request.from().tag() == null ? "" : request.from().tag(),
            request.to().withTag(localTag).toString(),
            request.from().toString(),
            routeSet,
            flow,
            request.contacts().get(0).uri(),
            request.cseq().sequence(),
            clock.instant().plusSeconds(expires),
            access,
            members);
    boolean pending = kind == Kind.PRESENCE && access == WatcherAccess.PENDING;
    SipResponse.Builder answer =
        SipResponse.forRequest(request, pending ? 202 : 200, pending ? "Accepted" : "OK")
            .toTag(localTag)
            .add(HeaderName.EXPIRES, Long.toString(expires))
            .add(HeaderName.CONTACT, contact(flow));
    if (kind == Kind.LIST) {
      answer.add(HeaderName.REQUIRE, ResourceListSubscriptions.EVENTLIST);
    }
    respond(tx, answer.build());
    if (expires == 0) {
      // A fetch (RFC 6665 §4.4.3): one NOTIFY with the state, terminated at once.
      sub.terminateReason = "timeout";
      sub.dirty = true;
      pump(sub);
      return;
    }
    dialogs.put(sub.key(), sub);
    for (String p : sub.watched()) {
      watch(p, sub);
    }
    if (kind == Kind.LIST) {
      listsByOwner.computeIfAbsent(watcher, k -> new ArrayList<>()).add(sub);
    }
    perWatcher.merge(watcher, 1, Integer::sum);
    schedule(sub);
    if (kind == Kind.PRESENCE) {
      updateWatcherEntry(sub, "subscribe");
    }
    sub.dirty = true;
    pump(sub);
  }

  private void onRefresh(ServerTransaction tx, SipRequest request, String aor) {
    Subscription sub = dialogs.get(dialogKey(request));
    if (sub == null) {
      respond(tx, simple(request, 481, "Subscription Does Not Exist"));
      return;
    }
    if (!sub.watcher.equals(aor)) {
      respond(tx, simple(request, 403, "Not The Subscriber"));
      return;
    }
    if (request.cseq().sequence() <= sub.remoteCseq) {
      // RFC 3261 §12.2.2: an out-of-order in-dialog request.
      respond(tx, simple(request, 500, "Out Of Order Request"));
      return;
    }
    String pkg = eventPackage(request);
    String expectedPkg = sub.kind == Kind.WINFO ? WINFO : PRESENCE;
    if (!expectedPkg.equals(pkg) || !java.util.Objects.equals(sub.eventId, eventId(request))) {
      respond(tx, badEvent(request, expectedPkg));
      return;
    }
    long expires = subscribeExpires(tx, request);
    if (expires < 0) {
      return;
    }
    sub.remoteCseq = request.cseq().sequence();
    if (!request.contacts().isEmpty()) {
      sub.remoteTarget = request.contacts().get(0).uri();
    }
    SipResponse.Builder answer =
        SipResponse.forRequest(
                request, sub.pendingState() ? 202 : 200, sub.pendingState() ? "Accepted" : "OK")
            .add(HeaderName.EXPIRES, Long.toString(expires))
            .add(HeaderName.CONTACT, contact(sub.flow));
    if (sub.kind == Kind.LIST) {
      answer.add(HeaderName.REQUIRE, ResourceListSubscriptions.EVENTLIST);
    }
    respond(tx, answer.build());
    if (expires == 0) {
      terminate(sub, "timeout");
      return;
    }
    sub.expiresAt = clock.instant().plusSeconds(expires);
    schedule(sub);
    if (sub.kind == Kind.PRESENCE) {
      updateWatcherEntry(sub, null);
    }
    // RFC 6665 §4.2.1.2: a refresh is answered with a NOTIFY of the current state (RFC 4662
    // §5.4: of the whole list).
    sub.fullState = true;
    sub.dirty = true;
    pump(sub);
    if (sub.kind == Kind.LIST) {
      // Members are also re-read on every refresh: a lost ListsChanged event costs at most one
      // refresh interval of a stale member set.
      resolveMembers(sub);
    }
  }

  /** The granted Expires, or -1 after answering 423. */
  private long subscribeExpires(ServerTransaction tx, SipRequest request) {
    long expires =
        request.expires() < 0 ? config.subscribeDefault().toSeconds() : request.expires();
    if (expires > 0 && expires < config.subscribeMin().toSeconds()) {
      respond(tx, intervalTooBrief(request, config.subscribeMin()));
      return -1;
    }
    return Math.min(expires, config.subscribeMax().toSeconds());
  }

  private void schedule(Subscription sub) {
    if (sub.timer >= 0) {
      vertx.cancelTimer(sub.timer);
    }
    long delay = Math.max(1, Duration.between(clock.instant(), sub.expiresAt).toMillis());
    sub.timer =
        vertx.setTimer(
            delay,
            id ->
                onContext(
                    () -> {
                      if (!sub.done && sub.terminateReason == null && sub.timer == id) {
                        terminate(sub, "timeout");
                      }
                    }));
  }

  // ------------------------------------------------------------------ changes

  private void onEvent(PresenceEvent event) {
    if (closed) {
      return;
    }
    if (event instanceof PresenceEvent.ViewChanged) {
      // A view computed before this change must not be handed to the NOTIFYs it triggers.
      composing.remove(event.presentity());
    }
    if (event instanceof PresenceEvent.ListsChanged) {
      List<Subscription> owned = listsByOwner.get(event.presentity());
      if (owned != null) {
        List.copyOf(owned).forEach(this::resolveMembers);
      }
      return;
    }
    List<Subscription> subs = byPresentity.get(event.presentity());
    if (subs == null) {
      return;
    }
    // The view the event carries serves every NOTIFY of this change, without a read.
    @Nullable Body carried = event instanceof PresenceEvent.ViewChanged v ? trustedView(v) : null;
    for (Subscription sub : List.copyOf(subs)) {
      if (sub.kind == Kind.LIST) {
        onListEvent(sub, event);
        continue;
      }
      switch (event) {
        case PresenceEvent.ViewChanged v -> {
          if (sub.kind == Kind.PRESENCE && sub.access == WatcherAccess.ALLOW) {
            sub.carried = carried;
            markDirty(sub);
          }
        }
        case PresenceEvent.WatchersChanged w -> {
          if (sub.kind == Kind.WINFO) {
            markDirty(sub);
          }
        }
        case PresenceEvent.RulesChanged r -> {
          if (sub.kind == Kind.PRESENCE && sub.watcher.equals(r.watcher())) {
            reauthorize(sub);
          }
        }
        case PresenceEvent.ListsChanged l -> {} // handled above, by owner
      }
    }
  }

  /**
   * The view a change event carries, when it may be used; else null and the NOTIFYs read the state
   * back (always current). Events sent by different members can overtake each other, so a carried
   * view is used only when its version is above the floor: the newest carried version seen here,
   * raised to "now" by every change that travels without a view (registration, expiry, a lost
   * member's devices) and set to "now" when this node starts watching the presentity. "Now" has
   * {@link #VIEW_CLOCK_MARGIN} added for the members' clock skew (versions come from the changing
   * member's clock).
   */
  private @Nullable Body trustedView(PresenceEvent.ViewChanged event) {
    String presentity = event.presentity();
    Long floor = viewFloor.get(presentity);
    PresenceEvent.View view = event.view();
    if (floor == null) {
      return null;
    }
    if (view == null) {
      viewFloor.put(presentity, Math.max(floor, floorNow()));
      return null;
    }
    if (view.version() <= floor) {
      return null;
    }
    viewFloor.put(presentity, view.version());
    return new Body(Pidf.CONTENT_TYPE, view.pidf());
  }

  private long floorNow() {
    Instant t = clock.instant().plus(VIEW_CLOCK_MARGIN);
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  /**
   * A member of a list changed (its view, or its rules for this watcher): remember it and send one
   * NOTIFY for all changes within {@link ResourceListSubscriptions#BATCH_WINDOW}.
   */
  private void onListEvent(Subscription sub, PresenceEvent event) {
    boolean concerned =
        switch (event) {
          case PresenceEvent.ViewChanged v -> true;
          case PresenceEvent.RulesChanged r -> sub.watcher.equals(r.watcher());
          case PresenceEvent.WatchersChanged w -> false;
          case PresenceEvent.ListsChanged l -> false;
        };
    if (!concerned || sub.done || sub.terminateReason != null) {
      return;
    }
    sub.changed.add(event.presentity());
    if (sub.batchTimer < 0) {
      sub.batchTimer =
          vertx.setTimer(
              ResourceListSubscriptions.BATCH_WINDOW.toMillis(),
              id ->
                  onContext(
                      () -> {
                        sub.batchTimer = -1;
                        markDirty(sub);
                      }));
    }
  }

  /**
   * Re-reads the members of a list subscription (its owner edited the list, or refreshed): members
   * added start being watched, removed ones stop, and if the set changed the next NOTIFY carries
   * the whole list (RFC 4662 §4.4.2: full state, so removed members disappear). A list that no
   * longer exists ends the subscription ({@code noresource}).
   */
  private void resolveMembers(Subscription sub) {
    if (sub.kind != Kind.LIST || sub.done || sub.terminateReason != null) {
      return;
    }
    // Reads may complete out of order: only the latest one applies.
    long generation = ++sub.membersGeneration;
    lists
        .members(sub.presentity, sub.watcher)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      if (sub.done
                          || sub.terminateReason != null
                          || generation != sub.membersGeneration) {
                        return;
                      }
                      if (ar.failed()) {
                        log.warn("re-reading list {} failed", sub.presentity, ar.cause());
                        return;
                      }
                      if (ar.result().isEmpty()) {
                        setMembers(sub, List.of());
                        terminate(sub, "noresource");
                        return;
                      }
                      if (setMembers(sub, ar.result().get())) {
                        sub.fullState = true;
                        markDirty(sub);
                      }
                    }));
  }

  /** Replaces a list subscription's members and the index by presentity; false if unchanged. */
  private boolean setMembers(Subscription sub, List<String> next) {
    if (next.equals(sub.members)) {
      return false;
    }
    Set<String> before = new java.util.HashSet<>(sub.members);
    Set<String> after = new java.util.HashSet<>(next);
    boolean registered = dialogs.containsKey(sub.key());
    for (String gone : sub.members) {
      if (!after.contains(gone)) {
        sub.changed.remove(gone);
        if (registered) {
          unwatch(gone, sub);
        }
        removeListWatcherEntry(sub, gone);
      }
    }
    for (String added : next) {
      if (!before.contains(added) && registered) {
        watch(added, sub);
      }
    }
    sub.setMembers(next);
    return true;
  }

  /**
   * A list subscription is a back-end subscription to each member on the watcher's behalf (RFC 4662
   * §4.1), so each member's watcher info names the watcher: pending while that member has not
   * decided, active once allowed (or politely blocked). Entries are written when a NOTIFY shows a
   * member in a new state, and all again with a full-state NOTIFY (the expiry moves with each
   * refresh); members that are no user ({@code noresource}) get none.
   */
  private void updateListWatcherEntries(
      Subscription sub, List<Rlmi.Resource> resources, boolean full) {
    if (sub.done || sub.terminateReason != null || !dialogs.containsKey(sub.key())) {
      return; // a fetch, or ended meanwhile: no entries (or they were removed)
    }
    for (Rlmi.Resource r : resources) {
      if (!sub.isMember(r.uri())) {
        continue;
      }
      if (r.state() == Rlmi.State.TERMINATED) {
        removeListWatcherEntry(sub, r.uri());
        continue;
      }
      String status = r.state() == Rlmi.State.PENDING ? "pending" : "active";
      String previous = sub.winfoStatus.put(r.uri(), status);
      boolean changed = !status.equals(previous);
      if (!changed && !full) {
        continue;
      }
      String event = previous == null || status.equals("pending") ? "subscribe" : "approved";
      String member = r.uri();
      watchers
          .put(
              new WatcherEntry(
                  member,
                  nodeId + "/" + sub.id,
                  sub.watcher,
                  sub.watcherName,
                  status,
                  changed ? event : sub.winfoEvents.getOrDefault(member, event),
                  nodeId,
                  sub.expiresAt))
          .onSuccess(
              v -> {
                if (changed) {
                  events.publish(new PresenceEvent.WatchersChanged(member));
                }
              })
          .onFailure(e -> log.warn("watcher directory update failed", e));
      if (changed) {
        sub.winfoEvents.put(member, event);
      }
    }
  }

  private void removeListWatcherEntry(Subscription sub, String member) {
    if (sub.winfoStatus.remove(member) == null) {
      return;
    }
    sub.winfoEvents.remove(member);
    watchers
        .remove(member, nodeId + "/" + sub.id)
        .onSuccess(v -> events.publish(new PresenceEvent.WatchersChanged(member)))
        .onFailure(e -> log.warn("watcher directory removal failed", e));
  }

  /** Starts notifying {@code sub} of {@code presentity}'s changes. */
  private void watch(String presentity, Subscription sub) {
    byPresentity
        .computeIfAbsent(
            presentity,
            k -> {
              // Views carried by events are trusted only from now on (see trustedView).
              viewFloor.put(k, floorNow());
              return new ArrayList<>();
            })
        .add(sub);
  }

  private void unwatch(String presentity, Subscription sub) {
    removeFromIndex(byPresentity, presentity, sub);
    if (!byPresentity.containsKey(presentity)) {
      viewFloor.remove(presentity);
    }
  }

  private static void removeFromIndex(
      Map<String, List<Subscription>> index, String key, Subscription sub) {
    List<Subscription> subs = index.get(key);
    if (subs != null) {
      subs.remove(sub);
      if (subs.isEmpty()) {
        index.remove(key);
      }
    }
  }

  private void reauthorize(Subscription sub) {
    rules
        .decide(sub.presentity, sub.watcher)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      if (sub.done || sub.terminateReason != null) {
                        return;
                      }
                      if (ar.failed()) {
                        log.warn(
                            "re-deciding {} → {} failed", sub.watcher, sub.presentity, ar.cause());
                        return;
                      }
                      WatcherAccess access = ar.result();
                      if (access == WatcherAccess.NO_SUCH_PRESENTITY) {
                        terminate(sub, "noresource");
                        return;
                      }
                      if (access != sub.access) {
                        sub.access = access;
                        updateWatcherEntry(
                            sub, access == WatcherAccess.PENDING ? "subscribe" : "approved");
                        markDirty(sub);
                      }
                    }));
  }

  private void sweep() {
    if (closed) {
      return;
    }
    documents
        .purgeExpired(clock.instant())
        .onSuccess(
            changed -> {
              for (String p : changed) {
                events.publish(new PresenceEvent.ViewChanged(p));
              }
            })
        .onFailure(e -> log.warn("purging expired publications failed", e));
  }

  private void onFlowClosed(Flow flow, CloseReason reason) {
    onContext(
        () -> {
          // The watcher's connection is gone: it cannot get NOTIFYs and will subscribe again.
          for (Subscription s : List.copyOf(dialogs.values())) {
            if (s.flow.id().equals(flow.id())) {
              unregister(s);
              s.done = true;
            }
          }
        });
  }

  private void updateWatcherEntry(Subscription sub, @Nullable String event) {
    if (event != null) {
      sub.winfoEvent = event;
    }
    watchers
        .put(
            new WatcherEntry(
                sub.presentity,
                nodeId + "/" + sub.id,
                sub.watcher,
                sub.watcherName,
                sub.pendingState() ? "pending" : "active",
                sub.winfoEvent,
                nodeId,
                sub.expiresAt))
        .onSuccess(
            v -> {
              if (event != null) {
                events.publish(new PresenceEvent.WatchersChanged(sub.presentity));
              }
            })
        .onFailure(e -> log.warn("watcher directory update failed", e));
  }

  // ------------------------------------------------------------------ NOTIFY

  private void markDirty(Subscription sub) {
    sub.dirty = true;
    pump(sub);
  }

  /** Ends the subscription with a final NOTIFY (sent once no other NOTIFY is outstanding). */
  private void terminate(Subscription sub, String reason) {
    if (sub.done || sub.terminateReason != null) {
      return;
    }
    sub.terminateReason = reason;
    unregister(sub);
    pump(sub);
  }

  /** Forgets the subscription: maps, timer, watcher directory. */
  private void unregister(Subscription sub) {
    if (dialogs.remove(sub.key()) == null) {
      return;
    }
    perWatcher.computeIfPresent(sub.watcher, (w, n) -> n <= 1 ? null : n - 1);
    for (String p : sub.watched()) {
      unwatch(p, sub);
    }
    if (sub.kind == Kind.LIST) {
      removeFromIndex(listsByOwner, sub.watcher, sub);
      for (String member : List.copyOf(sub.winfoStatus.keySet())) {
        removeListWatcherEntry(sub, member);
      }
    }
    if (sub.timer >= 0) {
      vertx.cancelTimer(sub.timer);
      sub.timer = -1;
    }
    if (sub.batchTimer >= 0) {
      vertx.cancelTimer(sub.batchTimer);
      sub.batchTimer = -1;
    }
    if (sub.kind == Kind.PRESENCE) {
      watchers
          .remove(sub.presentity, nodeId + "/" + sub.id)
          .onSuccess(v -> events.publish(new PresenceEvent.WatchersChanged(sub.presentity)))
          .onFailure(e -> log.warn("watcher directory removal failed", e));
    }
  }

  /** Sends the next NOTIFY if one is due and none is outstanding. */
  private void pump(Subscription sub) {
    if (sub.busy || sub.done || (!sub.dirty && sub.terminateReason == null)) {
      return;
    }
    if (sub.kind == Kind.LIST) {
      if (sub.terminateReason != null) {
        sub.fullState = true; // the final NOTIFY (also a fetch's only one) has the whole list
      } else if (!sub.fullState && sub.changed.isEmpty()) {
        sub.dirty = false;
        return;
      }
    }
    sub.busy = true;
    sub.dirty = false;
    body(sub)
        .onComplete(
            ar ->
                onContext(
                    () -> {
                      try {
                        Body body = ar.succeeded() ? ar.result() : null;
                        if (ar.failed()) {
                          log.warn("presence state for {} unavailable", sub.presentity, ar.cause());
                          if (sub.terminateReason == null) {
                            // Keep what the watcher has; the next change retries.
                            sub.busy = false;
                            return;
                          }
                        }
                        send(sub, body);
                      } catch (RuntimeException e) {
                        log.error("NOTIFY for {} failed", sub.presentity, e);
                        sub.busy = false;
                        unregister(sub);
                        sub.done = true;
                      }
                    }));
  }

  private record Body(String contentType, byte[] bytes) {}

  private Future<@Nullable Body> body(Subscription sub) {
    Instant now = clock.instant();
    @Nullable Body carried = sub.carried;
    sub.carried = null;
    if (sub.kind == Kind.LIST) {
      return listBody(sub);
    }
    if (sub.kind == Kind.WINFO) {
      return watchers
          .watchersOf(sub.presentity, now)
          .map(
              list ->
                  new Body(
                      WatcherInfo.CONTENT_TYPE,
                      WatcherInfo.write(sub.presentity, sub.winfoVersion++, list)));
    }
    return switch (sub.access) {
      case PENDING, NO_SUCH_PRESENTITY -> Future.succeededFuture(null);
      case BLOCK ->
          Future.succeededFuture(
              new Body(Pidf.CONTENT_TYPE, Pidf.write(PresenceDocument.offline(sub.presentity))));
      case ALLOW ->
          carried != null ? Future.succeededFuture(carried) : allowedView(sub.presentity, now);
    };
  }

  /**
   * The composed view every allowed watcher of {@code presentity} gets. One change notifies all its
   * watchers at once: they share one read of the pool state and one PIDF document instead of one
   * each (a fan-out to 1,000 watchers was 2,000 Hazelcast reads and 1,000 identical documents).
   * Shared only while it is being computed, and dropped on the next change.
   */
  private Future<@Nullable Body> allowedView(String presentity, Instant now) {
    Future<@Nullable Body> inFlight = composing.get(presentity);
    if (inFlight != null) {
      return inFlight;
    }
    Future<@Nullable Body> view =
        documents
            .current(presentity, now)
            .compose(
                pubs ->
                    locations
                        .lookup(presentity)
                        .map(
                            bindings ->
                                (@Nullable Body)
                                    new Body(
                                        Pidf.CONTENT_TYPE,
                                        Pidf.write(
                                            PresenceComposer.compose(
                                                presentity, pubs, !bindings.isEmpty())))));
    composing.put(presentity, view);
    view.onComplete(ar -> onContext(() -> composing.remove(presentity, view)));
    return view;
  }

  /** The members due in this NOTIFY (all, or the changed ones) as multipart/related + RLMI. */
  private Future<@Nullable Body> listBody(Subscription sub) {
    boolean full = sub.fullState;
    List<String> due = full ? sub.members : List.copyOf(sub.changed);
    sub.fullState = false;
    sub.changed.clear();
    return lists
        .resources(sub.watcher, due, sub::instanceId)
        .<@Nullable Body>map(
            resources -> {
              onContext(() -> updateListWatcherEntries(sub, resources, full));
              Rlmi.Multipart m = Rlmi.write(sub.presentity, sub.rlmiVersion++, full, resources);
              return new Body(m.contentType(), m.body());
            })
        .onFailure(
            e ->
                onContext(
                    () -> {
                      // Not sent: those members (still in the list) are due with the next NOTIFY.
                      sub.fullState |= full;
                      due.stream().filter(sub::isMember).forEach(sub.changed::add);
                    }));
  }

  private void send(Subscription sub, @Nullable Body body) {
    boolean last = sub.terminateReason != null;
    Flow flow = sub.flow;
    if (flow.reliable() && transport.flows().find(flow.id()) == null) {
      sub.busy = false;
      unregister(sub);
      sub.done = true;
      return;
    }
    String state;
    if (last) {
      state = "terminated;reason=" + sub.terminateReason;
    } else {
      long left = Math.max(0, Duration.between(clock.instant(), sub.expiresAt).toSeconds());
      state = (sub.pendingState() ? "pending" : "active") + ";expires=" + left;
    }
    SipRequest.Builder b = SipRequest.builder("NOTIFY", sub.remoteTarget);
    for (String route : sub.routeSet) {
      b.add(HeaderName.ROUTE, route);
    }
    b.add(HeaderName.MAX_FORWARDS, "70")
        .add(HeaderName.FROM, sub.localFrom)
        .add(HeaderName.TO, sub.remoteTo)
        .add(HeaderName.CALL_ID, sub.callId)
        .add(HeaderName.CSEQ, (++sub.localCseq) + " NOTIFY")
        .add(HeaderName.CONTACT, contact(flow))
        .add(
            HeaderName.EVENT,
            (sub.kind == Kind.WINFO ? WINFO : PRESENCE)
                + (sub.eventId != null ? ";id=" + sub.eventId : ""))
        .add(HeaderName.SUBSCRIPTION_STATE, state);
    if (sub.kind == Kind.LIST) {
      b.add(HeaderName.REQUIRE, ResourceListSubscriptions.EVENTLIST);
    }
    if (body != null) {
      b.body(body.contentType(), body.bytes());
    }
    SipRequest notify = b.build();
    Consumer<SipResponse> onResponse =
        response ->
            onContext(
                () -> {
                  if (response.statusCode() < 200) {
                    return;
                  }
                  sub.busy = false;
                  if (last) {
                    sub.done = true;
                  } else if (response.statusCode() >= 300) {
                    // RFC 6665 §4.2.2: the subscriber no longer wants it (481) or is unreachable.
                    log.debug(
                        "NOTIFY to {} got {}: subscription ends",
                        sub.watcher,
                        response.statusCode());
                    unregister(sub);
                    sub.done = true;
                  } else {
                    pump(sub);
                  }
                });
    if (flow.reliable()) {
      transactions.sendRequest(notify, flow, onResponse::accept);
    } else {
      transactions.sendRequest(
          notify,
          new Destination(flow.remoteHost(), flow.remotePort(), Transport.UDP),
          onResponse::accept);
    }
  }

  // ------------------------------------------------------------------ helpers

  private String contact(Flow flow) {
    Transport t = flow.transport();
    return "<sip:"
        + transport.sentByHost(t)
        + ":"
        + transport.sentByPort(t)
        + ";transport="
        + t.name().toLowerCase(Locale.ROOT)
        + ">";
  }

  private boolean ours(Uri uri) {
    String aor = Aors.of(uri);
    return aor != null && domains.contains(Aors.domain(aor));
  }

  /** The event package of the Event header, lower-case, without parameters ("" when absent). */
  static String eventPackage(SipRequest request) {
    String event = request.header(HeaderName.EVENT);
    if (event == null) {
      return "";
    }
    int semi = event.indexOf(';');
    return (semi < 0 ? event : event.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }

  /** The {@code id} parameter of the Event header, or null. */
  static @Nullable String eventId(SipRequest request) {
    String event = request.header(HeaderName.EVENT);
    if (event == null) {
      return null;
    }
    for (String param : event.split(";")) {
      String p = param.strip();
      if (p.regionMatches(true, 0, "id=", 0, 3)) {
        String v = p.substring(3).strip();
        return v.matches("[A-Za-z0-9.!%*_+`'~-]{1,64}") ? v : null;
      }
    }
    return null;
  }

  private static String dialogKey(SipRequest request) {
    return request.callId() + "|" + request.to().tag() + "|" + request.from().tag();
  }

  /** The media type of a Content-Type value, lower-case, without parameters. */
  static String mediaType(@Nullable String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .strip()
        .toLowerCase(Locale.ROOT);
  }

  /** No Accept means the package default (RFC 6665 §8.2.1); else it must allow {@code type}. */
  private static boolean accepts(SipRequest request, String type) {
    List<String> accept = request.headerValues(HeaderName.ACCEPT);
    if (accept.isEmpty()) {
      return true;
    }
    String family = type.substring(0, type.indexOf('/')) + "/*";
    for (String a : accept) {
      String t = mediaType(a);
      if (t.equals(type) || t.equals("*/*") || t.equals(family)) {
        return true;
      }
    }
    return false;
  }

  private void onContext(Runnable task) {
    Runnable guarded =
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.error("presence task failed", e);
          }
        };
    if (Vertx.currentContext() == context) {
      guarded.run();
    } else {
      context.runOnContext(x -> guarded.run());
    }
  }

  private <T> void whenDone(
      Future<T> future, ServerTransaction tx, SipRequest request, Consumer<T> then) {
    future.onComplete(
        ar ->
            onContext(
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

  private static SipResponse simple(SipRequest request, int status, String reason) {
    return SipResponse.forRequest(request, status, reason)
        .toTag(request.to().tag() != null ? request.to().tag() : TransactionLayer.newTag())
        .build();
  }

  private static SipResponse badEvent(SipRequest request, String allowEvents) {
    return SipResponse.forRequest(request, 489, "Bad Event")
        .toTag(TransactionLayer.newTag())
        .add(HeaderName.ALLOW_EVENTS, allowEvents)
        .build();
  }

  private static SipResponse intervalTooBrief(SipRequest request, Duration min) {
    return SipResponse.forRequest(request, 423, "Interval Too Brief")
        .toTag(TransactionLayer.newTag())
        .add(HeaderName.MIN_EXPIRES, Long.toString(min.toSeconds()))
        .build();
  }

  private static void respond(ServerTransaction tx, SipResponse response) {
    tx.respond(response);
  }

  private static void fail(ServerTransaction tx, SipRequest request, Throwable e) {
    log.error("{} {} failed", request.method(), request.callId(), e);
    SipResponse last = tx.lastResponse();
    if (last == null || last.statusCode() < 200) {
      try {
        tx.respond(simple(request, 500, "Server Internal Error"));
      } catch (RuntimeException again) {
        log.warn("could not send 500", again);
      }
    }
  }

  /** One subscription dialog (we are the notifier); confined to the context. */
  private static final class Subscription {
    final String id;
    final Kind kind;
    final String presentity;
    final String watcher;
    final @Nullable String watcherName;
    final @Nullable String eventId;
    final String callId;
    final String localTag;
    final String remoteTag;
    final String localFrom;
    final String remoteTo;
    final List<String> routeSet;
    final Flow flow;
    Uri remoteTarget;
    long remoteCseq;
    long localCseq;
    Instant expiresAt;
    WatcherAccess access;
    String winfoEvent = "subscribe";
    long winfoVersion;
    long timer = -1;
    boolean busy;
    boolean dirty;
    // the view carried by the change that made it dirty (null: read the state)
    @Nullable Body carried;
    boolean done;
    @Nullable String terminateReason;
    // Kind.LIST only: members (canonical AORs), those changed since the last NOTIFY, RLMI state.
    List<String> members = List.of();
    final java.util.Set<String> changed = new java.util.LinkedHashSet<>();
    // RLMI instance id per member, kept while the member stays in the list (RFC 4662 §5.2)
    private final Map<String, String> instanceIds = new HashMap<>();
    private int nextInstance;
    long membersGeneration;
    // the status/event each member's watcher info shows for this list subscription
    final Map<String, String> winfoStatus = new HashMap<>();
    final Map<String, String> winfoEvents = new HashMap<>();
    boolean fullState = true;
    long rlmiVersion;
    long batchTimer = -1;

    Subscription(
        String id,
        Kind kind,
        String presentity,
        String watcher,
        @Nullable String watcherName,
        @Nullable String eventId,
        String callId,
        String localTag,
        String remoteTag,
        String localFrom,
        String remoteTo,
        List<String> routeSet,
        Flow flow,
        Uri remoteTarget,
        long remoteCseq,
        Instant expiresAt,
        WatcherAccess access,
        List<String> members) {
      this.id = id;
      this.kind = kind;
      this.presentity = presentity;
      this.watcher = watcher;
      this.watcherName = watcherName;
      this.eventId = eventId;
      this.callId = callId;
      this.localTag = localTag;
      this.remoteTag = remoteTag;
      this.localFrom = localFrom;
      this.remoteTo = remoteTo;
      this.routeSet = List.copyOf(routeSet);
      this.flow = flow;
      this.remoteTarget = remoteTarget;
      this.remoteCseq = remoteCseq;
      this.expiresAt = expiresAt;
      this.access = access;
      setMembers(members);
    }

    void setMembers(List<String> next) {
      members = List.copyOf(next);
      instanceIds.keySet().retainAll(new java.util.HashSet<>(members));
      for (String m : members) {
        instanceIds.computeIfAbsent(m, k -> id.substring(0, 8) + "-" + nextInstance++);
      }
    }

    /** The presentities whose changes concern this subscription. */
    List<String> watched() {
      return kind == Kind.LIST ? members : List.of(presentity);
    }

    /**
     * The RLMI instance id of a member: stable while it stays in the list (RFC 4662 §5.2); a member
     * removed and added again is a new instance.
     */
    String instanceId(String member) {
      return instanceIds.getOrDefault(member, id.substring(0, 8) + "-x");
    }

    boolean isMember(String member) {
      return instanceIds.containsKey(member);
    }

    String key() {
      return callId + "|" + localTag + "|" + remoteTag;
    }

    boolean pendingState() {
      return kind == Kind.PRESENCE && access == WatcherAccess.PENDING;
    }
  }
}
