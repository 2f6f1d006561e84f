package io.parley.app;

import io.parley.auth.AuthThrottle;
import io.parley.auth.DigestAlgorithm;
import io.parley.auth.DigestAuthenticator;
import io.parley.auth.DigestCredentials;
import io.parley.auth.DigestCredentialsParser;
import io.parley.auth.DigestOutcome;
import io.parley.auth.DigestParseResult;
import io.parley.model.StoredCredentials;
import io.parley.registrar.Aors;
import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transport.Flow;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Digest authentication of SIP requests (RFC 3261 §22, RFC 7616, RFC 8760) on top of {@link
 * DigestAuthenticator}: one authenticator per served domain (realm = domain).
 *
 * <p>Decisions, all visible on the wire:
 *
 * <ul>
 *   <li>No usable credentials → 401 {@code WWW-Authenticate} for REGISTER, 407 {@code
 *       Proxy-Authenticate} otherwise, one header per algorithm (SHA-256, then MD5). Credentials
 *       are read from either header (SIPE answers a 407 on REGISTER with Proxy-Authorization).
 *   <li>SIPE (User-Agent containing "Sipe") understands Digest only as 407 with MD5 (ms-sip-lcs2005
 *       §4.1): it gets a single MD5 {@code Proxy-Authenticate}, also for REGISTER.
 *   <li>Wrong password, unknown user, forged nonce, replayed nonce-count → the same fresh challenge
 *       (an unknown user is verified against a dummy HA1, so timing matches too) and a failure is
 *       counted for the source IP. Expired nonce with the right password → challenge with {@code
 *       stale=true}, not counted.
 *   <li>Usernames: HA1s are stored over the lower-case local part only ({@code DigestHa1}), so only
 *       a username sent exactly that way can be verified. {@code alice@example.test}, {@code
 *       EXAMPLE\alice} or {@code Alice} were hashed by the client over that very string, which
 *       cannot match; they take the dummy path (no database lookup) and fail like a wrong password.
 *       SIPE must therefore be configured with the plain lower-case login.
 *   <li>Source locked out by {@link AuthThrottle} → {@code 503 Service Unavailable} with {@code
 *       Retry-After} (not 403: SIPE treats 403 as fatal, 503 as "reconnect later", and the lockout
 *       is temporary). Credentials are not even evaluated while locked out.
 *   <li>Correct password of a disabled account → 403 (only revealed to someone who knows the
 *       password).
 *   <li>Credential store failure → 503 with Retry-After.
 * </ul>
 *
 * The digest {@code uri} is never compared with the Request-URI (SIPp sends {@code sip:ip:port},
 * SIPE {@code (null)}). Callbacks run where the futures complete; the caller hops to its context.
 */
public final class DigestGate {

  private static final Logger log = LoggerFactory.getLogger(DigestGate.class);
  private static final int LOOKUP_RETRY_AFTER_SECONDS = 5;

  private final Map<String, DigestAuthenticator> byRealm;
  private final String defaultRealm;
  private final CredentialSource credentials;
  private final AuthThrottle throttle;

  /**
   * @param byRealm one authenticator per domain, keyed by its realm (the lower-case domain)
   * @param defaultRealm the realm challenged when the request names none of ours
   */
  public DigestGate(
      Map<String, DigestAuthenticator> byRealm,
      String defaultRealm,
      CredentialSource credentials,
      AuthThrottle throttle) {
    if (!byRealm.containsKey(defaultRealm)) {
      throw new IllegalArgumentException("no authenticator for default realm " + defaultRealm);
    }
    this.byRealm = Map.copyOf(byRealm);
    this.defaultRealm = defaultRealm;
    this.credentials = credentials;
    this.throttle = throttle;
  }

  /**
   * Authenticates {@code request}. {@code realmHint} is the domain the request is about (the To
   * domain of a REGISTER, the From domain otherwise); a foreign one falls back to the default.
   */
  public Future<AuthDecision> authenticate(SipRequest request, Flow flow, String realmHint) {
    String source = flow.remoteHost();
    boolean register = request.isMethod("REGISTER");
    String realm = byRealm.containsKey(realmHint) ? realmHint : defaultRealm;
    if (!throttle.allow(source)) {
      long retry = Math.max(1, throttle.retryAfterSeconds(source));
      return respond(
          SipResponse.forRequest(request, 503, "Service Unavailable")
              .toTag(TransactionLayer.newTag())
              .add(HeaderName.RETRY_AFTER, Long.toString(retry))
              .build());
    }
    DigestCredentials creds = findCredentials(request);
    if (creds == null) {
      return respond(challenge(request, realm, false));
    }
    DigestAuthenticator auth = byRealm.get(creds.realm());
    if (auth == null) {
      // Credentials for a realm we do not serve: nothing to check, just offer ours.
      return respond(challenge(request, realm, false));
    }
    String username = creds.username();
    Future<Optional<StoredCredentials>> lookup =
        verifiable(username)
            ? credentials.lookup(username, creds.realm())
            : Future.succeededFuture(Optional.empty());
    return lookup.transform(
        ar -> {
          if (ar.failed()) {
            log.warn("credential lookup failed", ar.cause());
            return respond(
                SipResponse.forRequest(request, 503, "Service Unavailable")
                    .toTag(TransactionLayer.newTag())
                    .add(HeaderName.RETRY_AFTER, Integer.toString(LOOKUP_RETRY_AFTER_SECONDS))
                    .build());
          }
          return Future.succeededFuture(verify(request, source, auth, creds, ar.result()));
        });
  }

  private AuthDecision verify(
      SipRequest request,
      String source,
      DigestAuthenticator auth,
      DigestCredentials creds,
      Optional<StoredCredentials> stored) {
    String method = request.method();
    DigestOutcome outcome;
    if (stored.isEmpty()) {
      outcome = auth.verifyAgainstDummy(creds, method);
    } else {
      StoredCredentials s = stored.get();
      String ha1 = creds.algorithm().base() == DigestAlgorithm.MD5 ? s.ha1Md5() : s.ha1Sha256();
      outcome = auth.verify(creds, method, ha1);
    }
    return switch (outcome) {
      case ACCEPTED -> {
        StoredCredentials s = stored.orElseThrow();
        if (!s.enabled()) {
          yield new AuthDecision.Respond(
              SipResponse.forRequest(request, 403, "Forbidden")
                  .toTag(TransactionLayer.newTag())
                  .build());
        }
        throttle.recordSuccess(source);
        yield new AuthDecision.Authenticated(Aors.canonical(s.sipUri()));
      }
      case STALE -> new AuthDecision.Respond(challenge(request, auth.realm(), true));
      case REPLAYED, REJECTED -> {
        throttle.recordFailure(source);
        yield new AuthDecision.Respond(challenge(request, auth.realm(), false));
      }
    };
  }

  /** The challenge response for {@code request} in {@code realm}. */
  public SipResponse challenge(SipRequest request, String realm, boolean stale) {
    DigestAuthenticator auth = byRealm.getOrDefault(realm, byRealm.get(defaultRealm));
    boolean sipe = isSipe(request);
    boolean www = request.isMethod("REGISTER") && !sipe;
    SipResponse.Builder b =
        www
            ? SipResponse.forRequest(request, 401, "Unauthorized")
            : SipResponse.forRequest(request, 407, "Proxy Authentication Required");
    b.toTag(TransactionLayer.newTag());
    HeaderName header = www ? HeaderName.WWW_AUTHENTICATE : HeaderName.PROXY_AUTHENTICATE;
    List<String> values = sipe ? List.of(auth.md5Challenge(stale)) : auth.challenges(stale);
    for (String v : values) {
      b.add(header, v);
    }
    return b.build();
  }

  /** The first parseable Digest credential for one of our realms, from either header. */
  private @Nullable DigestCredentials findCredentials(SipRequest request) {
    List<String> values = new ArrayList<>(request.headers().all(HeaderName.AUTHORIZATION));
    values.addAll(request.headers().all(HeaderName.PROXY_AUTHORIZATION));
    DigestCredentials any = null;
    for (String v : values) {
      if (DigestCredentialsParser.parse(v) instanceof DigestParseResult.Parsed p) {
        if (byRealm.containsKey(p.credentials().realm())) {
          return p.credentials();
        }
        any = any == null ? p.credentials() : any;
      }
    }
    return any;
  }

  private static boolean verifiable(String username) {
    return !username.isEmpty()
        && username.length() <= 64
        && username.equals(username.toLowerCase(Locale.ROOT))
        && username.indexOf('@') < 0
        && username.indexOf('\\') < 0;
  }

  private static boolean isSipe(SipRequest request) {
    String ua = request.header(HeaderName.USER_AGENT);
    return ua != null && ua.toLowerCase(Locale.ROOT).contains("sipe");
  }

  private static Future<AuthDecision> respond(SipResponse response) {
    return Future.succeededFuture(new AuthDecision.Respond(response));
  }
}
