package io.parley.registrar;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.SipUri;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transport.Flow;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar of RFC 3261 §10.3 with RFC 5626 instance/reg-id keys. It is given REGISTER requests
 * whose AOR the dispatcher has already checked against the authenticated identity, and answers with
 * the final response (never a failed future).
 *
 * <p>Bindings remember the flow the REGISTER arrived on, so requests for the user go back over the
 * client's own connection (clients behind NAT cannot be reached otherwise).
 */
public final class Registrar {

  private static final Logger log = LoggerFactory.getLogger(Registrar.class);
  private static final HeaderName MS_KEEP_ALIVE = HeaderName.of("ms-keep-alive");
  private static final DateTimeFormatter RFC_1123 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private final RegistrarConfig config;
  private final LocationStore store;
  private final String nodeId;
  private final Clock clock;

  public Registrar(RegistrarConfig config, LocationStore store, String nodeId, Clock clock) {
    this.config = config;
    this.store = store;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  public LocationStore store() {
    return store;
  }

  /**
   * Handles a REGISTER for {@code aor} (canonical, see {@link Aors}) received on {@code flow}.
   * Always succeeds with the response to send.
   */
  public Future<SipResponse> register(SipRequest request, Flow flow, String aor) {
    try {
      return registerChecked(request, flow, aor);
    } catch (RuntimeException e) {
      log.warn("REGISTER for {} failed", aor, e);
      return Future.succeededFuture(error(request, 500, "Server Internal Error"));
    }
  }

  private Future<SipResponse> registerChecked(SipRequest request, Flow flow, String aor) {
    Instant now = clock.instant();
    String callId = request.callId();
    long cseq = request.cseq().sequence();
    int headerExpires = request.expires();

    if (request.isWildcardContact()) {
      // RFC 3261 §10.3 step 6: '*' only alone and only with Expires: 0.
      if (request.headerValues(HeaderName.CONTACT).size() != 1 || headerExpires != 0) {
        return Future.succeededFuture(error(request, 400, "Invalid Wildcard Contact"));
      }
      return finish(
          request, store.apply(aor, new RegistrationChange.RemoveAll(callId, cseq, now)), -1);
    }
    List<NameAddr> contacts = request.contacts();
    if (contacts.isEmpty()) {
      return finish(request, store.lookup(aor), -1);
    }

    List<Binding> upserts = new ArrayList<>();
    List<Binding> removals = new ArrayList<>();
    long granted = -1;
    for (NameAddr contact : contacts) {
      if (!(contact.uri() instanceof SipUri)) {
        return Future.succeededFuture(error(request, 400, "Contact Must Be A SIP URI"));
      }
      long expires = requestedExpires(contact, headerExpires);
      if (expires < -1) {
        return Future.succeededFuture(error(request, 400, "Invalid Expires"));
      }
      if (expires == -1) {
        expires = config.defaultExpires().toSeconds();
      }
      if (expires != 0 && expires < config.minExpires().toSeconds()) {
        return Future.succeededFuture(
            SipResponse.forRequest(request, 423, "Interval Too Brief")
                .toTag(TransactionLayer.newTag())
                .add(HeaderName.MIN_EXPIRES, Long.toString(config.minExpires().toSeconds()))
                .build());
      }
      expires = Math.min(expires, config.maxExpires().toSeconds());
      float q = parseQ(contact.param("q"));
      if (Float.isNaN(q)) {
        return Future.succeededFuture(error(request, 400, "Invalid q Value"));
      }
      String instance = unquote(contact.param("+sip.instance"));
      int regId = -1;
      String regIdText = contact.param("reg-id");
      if (instance != null && regIdText != null) {
        // RFC 5626 §6: reg-id without +sip.instance is ignored.
        regId = parseRegId(regIdText);
        if (regId < 0) {
          return Future.succeededFuture(error(request, 400, "Invalid reg-id"));
        }
      }
      Binding b =
          new Binding(
              aor,
              contact.uri().toString(),
              instance,
              regId,
              flow.id(),
              nodeId,
              flow.transport().viaName(),
              flow.remoteHost(),
              flow.remotePort(),
              callId,
              cseq,
              q,
              now.plusSeconds(expires),
              now);
      if (expires == 0) {
        removals.add(b);
      } else {
        upserts.add(b);
        granted = Math.max(granted, expires);
      }
    }
    RegistrationChange change =
        new RegistrationChange.Update(
            callId, cseq, now, upserts, removals, config.maxBindingsPerAor());
    return finish(request, store.apply(aor, change), granted);
  }

  private Future<SipResponse> finish(
      SipRequest request, Future<List<Binding>> result, long grantedExpires) {
    return result.transform(
        ar -> {
          if (ar.succeeded()) {
            return Future.succeededFuture(ok(request, ar.result(), grantedExpires));
          }
          Throwable cause = ar.cause();
          if (cause instanceof RegistrationRejectedException r) {
            return Future.succeededFuture(
                switch (r.kind()) {
                  // RFC 3261 §10.3 step 7 only says "the request fails"; 500 is what clients
                  // expect for an out-of-order REGISTER (they retry with a new CSeq).
                  case OUT_OF_ORDER -> error(request, 500, "Out Of Order CSeq");
                  case TOO_MANY_BINDINGS -> error(request, 403, "Too Many Registered Devices");
                });
          }
          log.warn("location store failed for REGISTER", cause);
          return Future.succeededFuture(
              SipResponse.forRequest(request, 503, "Service Unavailable")
                  .toTag(TransactionLayer.newTag())
                  .add(HeaderName.RETRY_AFTER, "5")
                  .build());
        });
  }

  private SipResponse ok(SipRequest request, List<Binding> bindings, long grantedExpires) {
    Instant now = clock.instant();
    SipResponse.Builder b =
        SipResponse.forRequest(request, 200, "OK").toTag(TransactionLayer.newTag());
    for (Binding binding : bindings) {
      StringBuilder c = new StringBuilder(96);
      c.append('<').append(binding.contactUri()).append(">;expires=");
      c.append(binding.secondsLeft(now));
      if (binding.instanceId() != null) {
        c.append(";+sip.instance=\"").append(binding.instanceId()).append('"');
        if (binding.regId() >= 0) {
          c.append(";reg-id=").append(binding.regId());
        }
      }
      b.add(HeaderName.CONTACT, c.toString());
    }
    if (grantedExpires > 0) {
      // SIPE ignores a 200 OK without an Expires header (ms-sip-lcs2005 §5).
      b.add(HeaderName.EXPIRES, Long.toString(grantedExpires));
    }
    b.add(HeaderName.DATE, RFC_1123.format(now));
    if (request.header(MS_KEEP_ALIVE) != null) {
      b.add(
          MS_KEEP_ALIVE,
          "UAS; tcp=no; hop-hop=yes; end-end=no; timeout=" + config.keepAliveTimeoutSeconds());
    }
    return b.build();
  }

  private static SipResponse error(SipRequest request, int status, String reason) {
    return SipResponse.forRequest(request, status, reason).toTag(TransactionLayer.newTag()).build();
  }

  /** Contact expires param, else the Expires header, else -1 (default); -2 when malformed. */
  static long requestedExpires(NameAddr contact, int headerExpires) {
    String param = contact.param("expires");
    if (param != null) {
      return parseSeconds(param);
    }
    return headerExpires >= 0 ? headerExpires : -1;
  }

  /** Delta-seconds; huge values saturate (RFC 3261 §25.1 allows any length), junk gives -2. */
  static long parseSeconds(String text) {
    String s = text.strip();
    if (s.isEmpty() || s.length() > 64) {
      return -2;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -2;
      }
      v = v > Integer.MAX_VALUE ? v : v * 10 + (c - '0');
    }
    return Math.min(v, Integer.MAX_VALUE);
  }

  private static float parseQ(@Nullable String text) {
    if (text == null) {
      return 1.0f;
    }
    // RFC 3261 qvalue: "0" [ "." 0*3DIGIT ] / "1" [ "." 0*3("0") ]
    if (!text.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
      return Float.NaN;
    }
    return Float.parseFloat(text);
  }

  private static int parseRegId(String text) {
    if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int v = Integer.parseInt(text);
    return v >= 1 ? v : -1; // RFC 5626: reg-id is 1..2^31-1
  }

  private static @Nullable String unquote(@Nullable String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      v = v.substring(1, v.length() - 1);
    }
    return v.isEmpty() ? null : v;
  }
}
