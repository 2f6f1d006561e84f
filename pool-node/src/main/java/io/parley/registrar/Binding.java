package io.parley.registrar;

import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One registered contact of an address-of-record.
 *
 * @param aor the address-of-record, e.g. {@code sip:alice@example.test}
 * @param contactUri wire form of the Contact URI, without angle brackets
 * @param instanceId the RFC 5626 {@code +sip.instance} value (unquoted), or null
 * @param regId the RFC 5626 {@code reg-id}, -1 when absent
 * @param flowId the connection the REGISTER arrived on, prefixed with the node id (e.g. {@code
 *     node-1/tcp-42})
 * @param nodeId the node holding that flow
 * @param transport {@code UDP}, {@code TCP} or {@code TLS}
 * @param remoteHost where the flow goes (IP literal)
 * @param remotePort where the flow goes
 * @param callId Call-ID of the REGISTER that last wrote this binding
 * @param cseq CSeq number of the REGISTER that last wrote this binding
 * @param q the Contact's q value (1.0 when absent)
 * @param expiresAt when the binding lapses
 * @param registeredAt when the binding was last written
 */
public record Binding(
    String aor,
    String contactUri,
    @Nullable String instanceId,
    int regId,
    String flowId,
    String nodeId,
    String transport,
    String remoteHost,
    int remotePort,
    String callId,
    long cseq,
    float q,
    Instant expiresAt,
    Instant registeredAt) {

  /**
   * The identity of this binding inside its AOR: RFC 5626 §6 keys a binding by instance-id and
   * reg-id when present (a new flow of the same device replaces the old one), RFC 5627 by
   * instance-id alone, otherwise by the Contact URI (RFC 3261 §10.3 step 7; compared
   * case-insensitively, which is exact for the scheme/host and close enough for the user part our
   * clients send).
   */
  public String key() {
    if (instanceId != null) {
      return regId >= 0 ? "inst:" + instanceId + "#" + regId : "inst:" + instanceId;
    }
    return "uri:" + contactUri.toLowerCase(Locale.ROOT);
  }

  /** Seconds left until expiry (0 when already expired), rounded up. */
  public long secondsLeft(Instant now) {
    long millis = expiresAt.toEpochMilli() - now.toEpochMilli();
    return millis <= 0 ? 0 : (millis + 999) / 1000;
  }

  /** True when the binding has lapsed at {@code now}. */
  public boolean expired(Instant now) {
    return !expiresAt.isAfter(now);
  }
}
