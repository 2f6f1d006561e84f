package io.parley.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.sip.message.WireFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP traffic counters, safe to call from any thread on the hot path (counters are looked up once
 * and cached). Tag values are bounded so hostile traffic cannot blow up the number of Prometheus
 * series: unknown methods count as {@code other}, status codes collapse to their class.
 *
 * <p>Prometheus names: {@code parley_sip_requests_total{method}}, {@code
 * parley_sip_responses_total{class}}, {@code parley_sip_rejected_total{reason}}.
 */
public final class SipMetrics {

  private static final Logger log = LoggerFactory.getLogger(SipMetrics.class);

  public static final String REQUESTS = "parley.sip.requests";
  public static final String RESPONSES = "parley.sip.responses";
  public static final String REJECTED = "parley.sip.rejected";

  /** Tag value for anything outside the known set. */
  public static final String OTHER = "other";

  /** Methods counted by name: those the SIP stack knows (RFC 3261 family and Microsoft's). */
  public static final Set<String> KNOWN_METHODS = WireFormat.KNOWN_METHODS;

  // Conventional rejection reasons; callers may use others matching REASON_SYNTAX.
  public static final String REJECT_MALFORMED = "malformed";
  public static final String REJECT_TOO_LARGE = "too-large";
  public static final String REJECT_OVERLOAD = "overload";
  public static final String REJECT_AUTH_FAILED = "auth-failed";
  public static final String REJECT_THROTTLED = "throttled";
  public static final String REJECT_CONNECTION_LIMIT = "connection-limit";
  public static final String REJECT_LOOP = "loop";
  public static final String REJECT_DRAINING = "draining";

  /** Reasons are code constants; more distinct values than this means a caller passes data. */
  static final int MAX_REASONS = 32;

  private static final Pattern REASON_SYNTAX = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  private final MeterRegistry registry;
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> responses = new ConcurrentHashMap<>();
  // Valid reasons seen so far, plus "other"; junk never becomes a key, so the map stays small.
  private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
  private final AtomicBoolean capWarned = new AtomicBoolean();

  public SipMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** One request arrived (after parsing); {@code method} as on the wire, case-sensitive. */
  public void requestReceived(String method) {
    String tag = KNOWN_METHODS.contains(method) ? method : OTHER;
    requests
        .computeIfAbsent(
            tag,
            m ->
                Counter.builder(REQUESTS)
                    .description("SIP requests received, by method")
                    .tag("method", m)
                    .register(registry))
        .increment();
  }

  /** One response sent with this status code; counted by class ({@code 2xx}, ...). */
  public void responseSent(int status) {
    String tag = statusClass(status);
    responses
        .computeIfAbsent(
            tag,
            c ->
                Counter.builder(RESPONSES)
                    .description("SIP responses sent, by status class")
                    .tag("class", c)
                    .register(registry))
        .increment();
  }

  /**
   * One request refused before normal processing. {@code reason} should be one of the {@code
   * REJECT_*} constants or another fixed lower-case token ({@code [a-z0-9][a-z0-9_-]{0,31}});
   * anything else, and anything beyond {@value #MAX_REASONS} distinct reasons, counts as {@code
   * other}.
   */
  public void requestRejected(String reason) {
    Counter counter = rejections.get(reason);
    if (counter == null) {
      counter = rejectionCounter(reason);
    }
    counter.increment();
  }

  private Counter rejectionCounter(String reason) {
    if (!REASON_SYNTAX.matcher(reason).matches()) {
      return rejections.computeIfAbsent(OTHER, this::newRejectionCounter);
    }
    if (rejections.size() >= MAX_REASONS) {
      if (!capWarned.getAndSet(true)) {
        log.warn(
            "More than {} rejection reasons; counting '{}' and later ones as other",
            MAX_REASONS,
            reason);
      }
      return rejections.computeIfAbsent(OTHER, this::newRejectionCounter);
    }
    return rejections.computeIfAbsent(reason, this::newRejectionCounter);
  }

  private Counter newRejectionCounter(String tag) {
    return Counter.builder(REJECTED)
        .description("SIP requests rejected before processing, by reason")
        .tag("reason", tag)
        .register(registry);
  }

  static String statusClass(int status) {
    return status >= 100 && status <= 699 ? (status / 100) + "xx" : OTHER;
  }
}
