package io.parley.xcap;

import io.parley.app.CredentialSource;
import io.parley.auth.AuthThrottle;
import io.parley.auth.DigestAlgorithm;
import io.parley.auth.DigestAuthenticator;
import io.parley.auth.DigestConfig;
import io.parley.auth.DigestCredentials;
import io.parley.auth.DigestCredentialsParser;
import io.parley.auth.DigestOutcome;
import io.parley.auth.DigestParseResult;
import io.parley.db.contacts.ContactEntry;
import io.parley.db.contacts.ContactGroup;
import io.parley.db.contacts.ContactListRepository;
import io.parley.db.contacts.PresenceRuleSetRepository;
import io.parley.db.presence.PresenceAction;
import io.parley.http.EscapeGuard;
import io.parley.model.StoredCredentials;
import io.parley.registrar.Aors;
import io.parley.sip.transport.BindFailures;
import io.parley.xcap.XcapPath.NodeSelector;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * XCAP server (RFC 4825) on its own Vert.x HTTP(S) listener, root {@code /xcap}: every user's
 * contact list as a {@code resource-lists} document (RFC 4826) and presence rules as a {@code
 * pres-rules} document (RFC 5025), plus the global {@code xcap-caps} document. See docs/xcap.md.
 *
 * <p>Every request needs HTTP Digest (RFC 7616) with the user's SIP credentials (realm = the SIP
 * domain, the same HA1s as for SIP); a user may only touch documents under their own XUI (403
 * otherwise). Documents are mapped to database rows, so the database is the only state: every node
 * of a pool serves the same documents, and ETags are content hashes of the canonical form, the same
 * on every node. Writes run as read-check-write transactions holding the user's row lock, so
 * If-Match holds until the commit. Database work and XML parsing run on worker threads.
 */
public final class XcapServer {

  private static final Logger log = LoggerFactory.getLogger(XcapServer.class);

  /** Largest accepted request body; larger ones get 413. */
  public static final int MAX_BODY = 1024 * 1024;

  static final String RESOURCE_LISTS = "resource-lists";
  static final String PRES_RULES = "pres-rules";
  static final String DOCUMENT = "index";
  static final String ELEMENT_TYPE = "application/xcap-el+xml";
  static final String ERROR_TYPE = "application/xcap-error+xml";
  private static final int RETRY_AFTER_SECONDS = 5;

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final @Nullable KeyCertOptions tls;
  private final Map<String, DigestAuthenticator> byRealm = new HashMap<>();
  private final String defaultRealm;
  private final CredentialSource credentials;
  private final ContactListRepository contacts;
  private final PresenceRuleSetRepository ruleSets;
  private final RuleChangeListener onRuleChange;
  private final ListChangeListener onListChange;
  private final AuthThrottle throttle;
  private volatile @Nullable HttpServer server;

  /**
   * @param tls key and certificate for HTTPS; null serves plain HTTP (tests, or TLS terminated in
   *     front)
   * @param domains the SIP domains served; each is a Digest realm, the first is challenged when a
   *     request names none of them
   * @param digestKey HMAC key for Digest nonces (≥ 16 bytes, the same on every node)
   * @param onRuleChange told of every watcher whose rule a pres-rules edit changed
   * @param onListChange told of every user whose resource-lists document an edit changed
   */
  public XcapServer(
      Vertx vertx,
      String host,
      int port,
      @Nullable KeyCertOptions tls,
      Set<String> domains,
      byte[] digestKey,
      CredentialSource credentials,
      ContactListRepository contacts,
      PresenceRuleSetRepository ruleSets,
      RuleChangeListener onRuleChange,
      ListChangeListener onListChange) {
    this(
        vertx,
        host,
        port,
        tls,
        domains,
        digestKey,
        credentials,
        contacts,
        ruleSets,
        onRuleChange,
        onListChange,
        Clock.systemUTC());
  }

  XcapServer(
      Vertx vertx,
      String host,
      int port,
      @Nullable KeyCertOptions tls,
      Set<String> domains,
      byte[] digestKey,
      CredentialSource credentials,
      ContactListRepository contacts,
      PresenceRuleSetRepository ruleSets,
      RuleChangeListener onRuleChange,
      ListChangeListener onListChange,
      Clock clock) {
    if (domains.isEmpty()) {
      throw new IllegalArgumentException("at least one domain");
    }
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.tls = tls;
    List<String> realms = new ArrayList<>();
    for (String d : domains) {
      String realm = d.toLowerCase(Locale.ROOT);
      realms.add(realm);
      byRealm.put(realm, new DigestAuthenticator(new DigestConfig(realm, digestKey), clock));
    }
    this.defaultRealm = realms.get(0);
    this.credentials = credentials;
    this.contacts = contacts;
    this.ruleSets = ruleSets;
    this.onRuleChange = onRuleChange;
    this.onListChange = onListChange;
    this.throttle = AuthThrottle.withDefaults(clock);
  }

  /** Binds the listener. */
  public Future<Void> start() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setMaxHeaderSize(16 * 1024)
            .setIdleTimeout(120);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls);
    }
    Router router = Router.router(vertx);
    router
        .route("/xcap/*")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
        .handler(this::handle)
        .failureHandler(XcapServer::routerFailure);
    HttpServer s = vertx.createHttpServer(options).requestHandler(EscapeGuard.guard(router));
    return s.listen()
        .recover(e -> Future.failedFuture(BindFailures.named("XCAP port", host, port, e)))
        .map(
            bound -> {
              server = bound;
              log.info(
                  "XCAP server on {}:{} ({})",
                  host,
                  bound.actualPort(),
                  tls != null ? "https" : "http");
              return null;
            });
  }

  /** Closes the listener. */
  public Future<Void> stop() {
    HttpServer s = server;
    server = null;
    return s == null ? Future.succeededFuture() : s.close();
  }

  /** The bound port (useful with port 0); -1 before {@link #start()}. */
  public int actualPort() {
    HttpServer s = server;
    return s == null ? -1 : s.actualPort();
  }

  // ------------------------------------------------------------------ request handling

  private void handle(RoutingContext ctx) {
    try {
      XcapPath path = XcapPath.parse(ctx.request().path());
      checkMethod(ctx.request().method(), path);
      String realmHint =
          path.xui() == null ? defaultRealm : Aors.domain(Aors.canonical(path.xui()));
      authenticate(ctx, realmHint)
          .onComplete(
              ar -> {
                if (ar.failed()) {
                  fail(ctx, ar.cause());
                } else if (ar.result().isPresent()) {
                  authorized(ctx, path, ar.result().get());
                }
              });
    } catch (RuntimeException e) {
      fail(ctx, e);
    }
  }

  /** Failures raised by Vert.x Web itself (BodyHandler: 413 for a body over the limit). */
  private static void routerFailure(RoutingContext ctx) {
    HttpServerResponse r = ctx.response();
    if (r.ended() || r.headWritten()) {
      return;
    }
    int status = ctx.statusCode();
    if (status == 413) {
      r.setStatusCode(413).end();
    } else if (status >= 400 && status < 500) {
      r.setStatusCode(status).end();
    } else {
      log.warn(
          "XCAP request {} {} failed", ctx.request().method(), ctx.request().path(), ctx.failure());
      r.setStatusCode(500).end();
    }
  }

  private static void checkMethod(HttpMethod method, XcapPath path) {
    boolean caps = path.auid().equals(XcapCaps.AUID);
    if (!caps && !path.auid().equals(RESOURCE_LISTS) && !path.auid().equals(PRES_RULES)) {
      throw XcapException.status(404, "unknown application usage " + path.auid());
    }
    if (caps ? path.xui() != null : path.xui() == null) {
      throw XcapException.status(404, "no such tree for " + path.auid());
    }
    Set<HttpMethod> allowed =
        caps ? Set.of(HttpMethod.GET) : Set.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE);
    if (!allowed.contains(method)) {
      throw new MethodNotAllowed(caps ? "GET" : "GET, PUT, DELETE");
    }
  }

  private void authorized(RoutingContext ctx, XcapPath path, String aor) {
    try {
      if (path.xui() == null) {
        if (!path.document().equals(DOCUMENT) || path.selector() != null) {
          throw XcapException.status(404, "no such document");
        }
        respondDocument(ctx, XcapCaps.CONTENT_TYPE, XcapCaps.DOCUMENT, conditions(ctx));
        return;
      }
      String owner = Aors.canonical(path.xui());
      if (!owner.equals(aor)) {
        throw XcapException.status(403, "documents of another user");
      }
      HttpMethod method = ctx.request().method();
      if (!path.document().equals(DOCUMENT)) {
        throw method == HttpMethod.PUT
            ? XcapException.constraint("only the document \"" + DOCUMENT + "\" is stored")
            : XcapException.status(404, "no such document");
      }
      Conditions conditions = conditions(ctx);
      byte[] body = body(ctx);
      if (path.auid().equals(PRES_RULES) && path.selector() != null) {
        throw XcapException.status(400, "node selectors are supported for resource-lists only");
      }
      if (method == HttpMethod.PUT) {
        String expected = path.selector() == null ? contentType(path.auid()) : ELEMENT_TYPE;
        checkContentType(ctx.request(), expected);
      }
      String docUri = XcapPath.ROOT + path.auid() + "/users/" + path.xui() + "/" + DOCUMENT;
      Future<Reply> reply =
          vertx.executeBlocking(
              () ->
                  path.auid().equals(RESOURCE_LISTS)
                      ? resourceLists(method, owner, path.selector(), body, conditions, docUri)
                      : presRules(method, owner, body, conditions),
              false);
      reply.onComplete(
          ar -> {
            if (ar.failed()) {
              fail(ctx, ar.cause());
            } else {
              send(ctx, ar.result());
            }
          });
    } catch (RuntimeException e) {
      fail(ctx, e);
    }
  }

  // ------------------------------------------------------------------ documents (worker threads)

  /** The answer to a request: status, optional body with its type, the document's ETag. */
  record Reply(
      int status, @Nullable String contentType, byte @Nullable [] body, @Nullable String etag) {}

  private Reply resourceLists(
      HttpMethod method,
      String owner,
      @Nullable NodeSelector selector,
      byte[] body,
      Conditions conditions,
      String docUri) {
    if (method == HttpMethod.GET) {
      Optional<List<ContactGroup>> doc = contacts.find(owner);
      String etag = doc.map(d -> etag(ResourceLists.serialize(d))).orElse(null);
      conditions.checkRead(etag);
      List<ContactGroup> groups =
          doc.orElseThrow(() -> XcapException.status(404, "no resource-lists document"));
      if (selector == null) {
        return new Reply(200, ResourceLists.CONTENT_TYPE, ResourceLists.serialize(groups), etag);
      }
      return switch (selector) {
        case NodeSelector.ListByName s ->
            new Reply(
                200, ELEMENT_TYPE, ResourceLists.serializeList(group(groups, s.name())), etag);
        case NodeSelector.EntryByUri s ->
            new Reply(
                200,
                ELEMENT_TYPE,
                ResourceLists.serializeEntry(entry(group(groups, s.listName()), s.uri())),
                etag);
      };
    }
    // Parsed here, on a worker: a 1 MiB document is too much work for an event loop.
    Change<List<ContactGroup>> change =
        method == HttpMethod.PUT
            ? putResourceLists(selector, body, docUri)
            : deleteResourceLists(selector);
    boolean[] created = {false};
    List<Optional<List<ContactGroup>>> before = new ArrayList<>(1);
    Optional<List<ContactGroup>> stored =
        contacts.update(
            owner,
            current -> {
              conditions.checkWrite(
                  current.map(d -> etag(ResourceLists.serialize(d))).orElse(null));
              Outcome<List<ContactGroup>> o = change.apply(current);
              created[0] = o.created();
              before.clear();
              before.add(current);
              return o.next();
            });
    // After the commit, and only if something changed: list subscriptions re-read their members.
    if (before.isEmpty() || !before.get(0).equals(stored)) {
      try {
        onListChange.listsChanged(owner);
      } catch (RuntimeException e) {
        log.warn("list change listener failed for {}", owner, e);
      }
    }
    String etag = stored.map(d -> etag(ResourceLists.serialize(d))).orElse(null);
    return new Reply(created[0] ? 201 : 200, null, null, etag);
  }

  /** A read-modify-write of a document: the current version (if any) → the next. */
  @FunctionalInterface
  private interface Change<T> {
    Outcome<T> apply(Optional<T> current);
  }

  /** The next version of a document (empty = deleted) and whether the PUT created something. */
  private record Outcome<T>(Optional<T> next, boolean created) {}

  private static Change<List<ContactGroup>> putResourceLists(
      @Nullable NodeSelector selector, byte[] body, String docUri) {
    if (selector == null) {
      List<ContactGroup> groups = ResourceLists.parse(body);
      return current -> new Outcome<>(Optional.of(groups), current.isEmpty());
    }
    return switch (selector) {
      case NodeSelector.ListByName s -> {
        ContactGroup g = ResourceLists.parseListElement(body);
        if (!g.name().equals(s.name())) {
          throw XcapException.cannotInsert("the list's name differs from the node selector's");
        }
        yield current -> {
          List<ContactGroup> groups =
              new ArrayList<>(current.orElseThrow(() -> XcapException.noParent(docUri)));
          int i = indexOfGroup(groups, s.name());
          if (i >= 0) {
            groups.set(i, g);
          } else {
            groups.add(g);
          }
          checkSize(groups);
          return new Outcome<>(Optional.of(groups), i < 0);
        };
      }
      case NodeSelector.EntryByUri s -> {
        ContactEntry e = ResourceLists.parseEntryElement(body);
        if (!e.uri().equals(s.uri())) {
          throw XcapException.cannotInsert("the entry's uri differs from the node selector's");
        }
        yield current -> {
          List<ContactGroup> groups =
              new ArrayList<>(current.orElseThrow(() -> XcapException.noParent(docUri)));
          int gi = indexOfGroup(groups, s.listName());
          if (gi < 0) {
            throw XcapException.noParent(docUri);
          }
          ContactGroup g = groups.get(gi);
          List<ContactEntry> entries = new ArrayList<>(g.entries());
          int ei = indexOfEntry(entries, s.uri());
          if (ei >= 0) {
            entries.set(ei, e);
          } else {
            entries.add(e);
          }
          groups.set(gi, new ContactGroup(g.name(), g.displayName(), entries));
          checkSize(groups);
          return new Outcome<>(Optional.of(groups), ei < 0);
        };
      }
    };
  }

  private static Change<List<ContactGroup>> deleteResourceLists(@Nullable NodeSelector selector) {
    return current -> {
      List<ContactGroup> groups =
          new ArrayList<>(
              current.orElseThrow(() -> XcapException.status(404, "no resource-lists document")));
      if (selector == null) {
        return new Outcome<>(Optional.empty(), false);
      }
      switch (selector) {
        case NodeSelector.ListByName s -> groups.remove(group(groups, s.name()));
        case NodeSelector.EntryByUri s -> {
          ContactGroup g = group(groups, s.listName());
          List<ContactEntry> entries = new ArrayList<>(g.entries());
          entries.remove(entry(g, s.uri()));
          groups.set(groups.indexOf(g), new ContactGroup(g.name(), g.displayName(), entries));
        }
      }
      return new Outcome<>(Optional.of(groups), false);
    };
  }

  private Reply presRules(HttpMethod method, String owner, byte[] body, Conditions conditions) {
    if (method == HttpMethod.GET) {
      Map<String, PresenceAction> rules = ruleSets.rules(owner);
      String etag = rules.isEmpty() ? null : etag(PresRules.serialize(rules));
      conditions.checkRead(etag);
      if (rules.isEmpty()) {
        throw XcapException.status(404, "no pres-rules document");
      }
      return new Reply(200, PresRules.CONTENT_TYPE, PresRules.serialize(rules), etag);
    }
    Map<String, PresenceAction> next = method == HttpMethod.PUT ? PresRules.parse(body) : Map.of();
    boolean[] created = {false};
    Set<String> changed =
        ruleSets.update(
            owner,
            current -> {
              conditions.checkWrite(current.isEmpty() ? null : etag(PresRules.serialize(current)));
              if (method == HttpMethod.DELETE && current.isEmpty()) {
                throw XcapException.status(404, "no pres-rules document");
              }
              created[0] = current.isEmpty();
              return next;
            });
    // After the commit: presence re-reads the rules it is told about.
    for (String watcher : changed) {
      try {
        onRuleChange.ruleChanged(owner, watcher);
      } catch (RuntimeException e) {
        log.warn("rule change listener failed for {} / {}", owner, watcher, e);
      }
    }
    return new Reply(
        created[0] ? 201 : 200,
        null,
        null,
        next.isEmpty() ? null : etag(PresRules.serialize(next)));
  }

  private static ContactGroup group(List<ContactGroup> groups, String name) {
    int i = indexOfGroup(groups, name);
    if (i < 0) {
      throw XcapException.status(404, "no list " + name);
    }
    return groups.get(i);
  }

  private static ContactEntry entry(ContactGroup g, String uri) {
    int i = indexOfEntry(g.entries(), uri);
    if (i < 0) {
      throw XcapException.status(404, "no entry " + uri);
    }
    return g.entries().get(i);
  }

  private static int indexOfGroup(List<ContactGroup> groups, String name) {
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i).name().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOfEntry(List<ContactEntry> entries, String uri) {
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).uri().equals(uri)) {
        return i;
      }
    }
    return -1;
  }

  private static void checkSize(List<ContactGroup> groups) {
    int entries = groups.stream().mapToInt(g -> g.entries().size()).sum();
    if (groups.size() > ResourceLists.MAX_GROUPS || entries > ResourceLists.MAX_ENTRIES) {
      throw XcapException.constraint(
          "at most "
              + ResourceLists.MAX_GROUPS
              + " lists and "
              + ResourceLists.MAX_ENTRIES
              + " entries");
    }
  }

  // ------------------------------------------------------------------ conditional requests

  /** The request's If-Match / If-None-Match (RFC 9110 §13.1), checked against a document ETag. */
  record Conditions(@Nullable List<String> ifMatch, @Nullable List<String> ifNoneMatch) {

    /** GET: If-Match fails → 412; If-None-Match matches → 304. */
    void checkRead(@Nullable String etag) {
      if (ifMatch != null && !matches(ifMatch, etag)) {
        throw XcapException.status(412, "If-Match failed");
      }
      if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
        throw XcapException.notModified(etag);
      }
    }

    /** PUT/DELETE: If-Match fails or If-None-Match matches → 412. */
    void checkWrite(@Nullable String etag) {
      if (ifMatch != null && !matches(ifMatch, etag)) {
        throw XcapException.status(412, "If-Match failed");
      }
      if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
        throw XcapException.status(412, "If-None-Match failed");
      }
    }

    /** Strong comparison: "*" matches any existing document, weak tags never match. */
    private static boolean matches(List<String> tags, @Nullable String etag) {
      if (etag == null) {
        return false;
      }
      return tags.contains("*") || tags.contains(etag);
    }
  }

  private static Conditions conditions(RoutingContext ctx) {
    return new Conditions(tags(ctx.request(), "If-Match"), tags(ctx.request(), "If-None-Match"));
  }

  private static @Nullable List<String> tags(HttpServerRequest request, String header) {
    List<String> values = request.headers().getAll(header);
    if (values.isEmpty()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String v : values) {
      for (String t : v.split(",")) {
        String tag = t.strip();
        if (!tag.isEmpty()) {
          out.add(tag);
        }
      }
    }
    return out;
  }

  /** The strong ETag of a canonical document: a hash, so every node computes the same one. */
  static String etag(byte[] canonical) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical);
      return "\""
          + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, 18))
          + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ HTTP helpers

  private static String contentType(String auid) {
    return auid.equals(RESOURCE_LISTS) ? ResourceLists.CONTENT_TYPE : PresRules.CONTENT_TYPE;
  }

  private static void checkContentType(HttpServerRequest request, String expected) {
    String type = request.getHeader("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!media.equals(expected)) {
      throw new UnsupportedType(expected);
    }
    String encoding = request.getHeader("Content-Encoding");
    if (encoding != null && !encoding.equalsIgnoreCase("identity")) {
      throw new UnsupportedType(expected);
    }
  }

  private static byte[] body(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    return b == null ? new byte[0] : b.getBytes();
  }

  private void respondDocument(
      RoutingContext ctx, String contentType, byte[] document, Conditions conditions) {
    String etag = etag(document);
    conditions.checkRead(etag);
    send(ctx, new Reply(200, contentType, document, etag));
  }

  private static void send(RoutingContext ctx, Reply reply) {
    HttpServerResponse r = ctx.response().setStatusCode(reply.status());
    if (reply.etag() != null) {
      r.putHeader("ETag", reply.etag());
    }
    byte[] body = reply.body();
    if (body != null && reply.contentType() != null) {
      r.putHeader("Content-Type", reply.contentType());
      r.end(Buffer.buffer(body));
    } else {
      r.end();
    }
  }

  private static void fail(RoutingContext ctx, Throwable cause) {
    HttpServerResponse r = ctx.response();
    if (r.ended() || r.headWritten()) {
      return;
    }
    switch (cause) {
      case XcapException x -> {
        r.setStatusCode(x.status());
        if (x.etag() != null) {
          r.putHeader("ETag", x.etag());
        }
        if (x.xcapError() != null) {
          r.putHeader("Content-Type", ERROR_TYPE).end(x.xcapError());
        } else {
          r.end();
        }
      }
      case MethodNotAllowed m -> r.setStatusCode(405).putHeader("Allow", m.allow).end();
      case UnsupportedType u -> r.setStatusCode(415).putHeader("Accept", u.accept).end();
      case NoSuchElementException n -> r.setStatusCode(404).end();
      default -> {
        // The database (or a bug): the client may retry; the log has the cause.
        log.warn("XCAP request {} {} failed", ctx.request().method(), ctx.request().path(), cause);
        r.setStatusCode(503).putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS)).end();
      }
    }
  }

  private static final class MethodNotAllowed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String allow;

    MethodNotAllowed(String allow) {
      super("method not allowed", null, false, false);
      this.allow = allow;
    }
  }

  private static final class UnsupportedType extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String accept;

    UnsupportedType(String accept) {
      super("unsupported media type", null, false, false);
      this.accept = accept;
    }
  }

  // ------------------------------------------------------------------ Digest (RFC 7616)

  /**
   * Authenticates the request; empty when it has already been answered (401, 403, 503). The Digest
   * {@code uri} must be this request's target: unlike SIP clients, HTTP clients send it exactly,
   * and checking it stops a captured answer being replayed on another document.
   */
  private Future<Optional<String>> authenticate(RoutingContext ctx, String realmHint) {
    HttpServerRequest request = ctx.request();
    String source = request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress();
    String realm = byRealm.containsKey(realmHint) ? realmHint : defaultRealm;
    if (!throttle.allow(source)) {
      ctx.response()
          .setStatusCode(503)
          .putHeader("Retry-After", Long.toString(Math.max(1, throttle.retryAfterSeconds(source))))
          .end();
      return Future.succeededFuture(Optional.empty());
    }
    DigestCredentials creds = null;
    for (String v : request.headers().getAll("Authorization")) {
      if (DigestCredentialsParser.parse(v) instanceof DigestParseResult.Parsed p) {
        creds = p.credentials();
        break;
      }
    }
    DigestAuthenticator auth = creds == null ? null : byRealm.get(creds.realm());
    if (creds == null || auth == null) {
      challenge(ctx, realm, false);
      return Future.succeededFuture(Optional.empty());
    }
    if (!creds.uri().equals(request.uri())) {
      ctx.response()
          .setStatusCode(400)
          .setStatusMessage("Digest uri is not the request target")
          .end();
      return Future.succeededFuture(Optional.empty());
    }
    DigestCredentials c = creds;
    String method = request.method().name();
    Future<Optional<StoredCredentials>> lookup =
        verifiable(c.username())
            ? credentials.lookup(c.username(), c.realm())
            : Future.succeededFuture(Optional.empty());
    return lookup.transform(
        ar -> {
          if (ar.failed()) {
            log.warn("credential lookup failed", ar.cause());
            ctx.response()
                .setStatusCode(503)
                .putHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS))
                .end();
            return Future.succeededFuture(Optional.empty());
          }
          Optional<StoredCredentials> stored = ar.result();
          DigestOutcome outcome;
          if (stored.isEmpty()) {
            outcome = auth.verifyAgainstDummy(c, method);
          } else {
            StoredCredentials s = stored.get();
            String ha1 = c.algorithm().base() == DigestAlgorithm.MD5 ? s.ha1Md5() : s.ha1Sha256();
            outcome = auth.verify(c, method, ha1);
          }
          switch (outcome) {
            case ACCEPTED -> {
              StoredCredentials s = stored.orElseThrow();
              if (!s.enabled()) {
                ctx.response().setStatusCode(403).end();
                return Future.succeededFuture(Optional.empty());
              }
              throttle.recordSuccess(source);
              return Future.succeededFuture(Optional.of(Aors.canonical(s.sipUri())));
            }
            case STALE -> challenge(ctx, auth.realm(), true);
            case REPLAYED, REJECTED -> {
              throttle.recordFailure(source);
              challenge(ctx, auth.realm(), false);
            }
          }
          return Future.succeededFuture(Optional.empty());
        });
  }

  private void challenge(RoutingContext ctx, String realm, boolean stale) {
    DigestAuthenticator auth = byRealm.get(realm);
    HttpServerResponse r = ctx.response().setStatusCode(401);
    for (String c : auth.challenges(stale)) {
      r.headers().add("WWW-Authenticate", c);
    }
    r.end();
  }

  /** Usernames whose HA1 can exist: the lower-case local part (as DigestGate). */
  private static boolean verifiable(String username) {
    return !username.isEmpty()
        && username.length() <= 64
        && username.equals(username.toLowerCase(Locale.ROOT))
        && username.indexOf('@') < 0
        && username.indexOf('\\') < 0;
  }
}
