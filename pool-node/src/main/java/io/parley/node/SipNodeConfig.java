package io.parley.node;

import io.parley.auth.AuthThrottle;
import io.parley.auth.DigestConfig;
import io.parley.registrar.RegistrarConfig;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transport.SipTransportOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Configuration of a {@link SipNode}.
 *
 * @param nodeId this node's id; prefixes flow ids ({@code node-1/tcp-42}) and tags bindings
 * @param domains the SIP domains served, lower-case; the first is the default realm. Each domain is
 *     its own Digest realm.
 * @param transport listeners (host, udp/tcp/tls ports: 0 ephemeral, -1 off, TLS PEM options,
 *     limits); its flow-id prefix is replaced by {@code nodeId + "/"}
 * @param transactions timers and overload policy
 * @param registrar min/max/default expires, devices per AOR
 * @param nonceLifetime Digest nonce lifetime (after it, {@code stale=true})
 * @param purgeInterval how often expired bindings are purged
 * @param maxAuthFailures failures per source IP within a minute before it is locked out
 */
public record SipNodeConfig(
    String nodeId,
    List<String> domains,
    SipTransportOptions transport,
    TransactionOptions transactions,
    RegistrarConfig registrar,
    Duration nonceLifetime,
    Duration purgeInterval,
    int maxAuthFailures) {

  public SipNodeConfig {
    if (domains.isEmpty()) {
      throw new IllegalArgumentException("at least one domain");
    }
    domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    if (maxAuthFailures < 1) {
      throw new IllegalArgumentException("maxAuthFailures must be positive");
    }
  }

  /**
   * Defaults for everything but the essentials: node id {@code node-1}, default transaction
   * options, {@link RegistrarConfig#defaults()}, 300 s nonces, purge every 30 s, 5 failures/min.
   *
   * @param host listen address, e.g. {@code 0.0.0.0}
   * @param udpPort 0 = ephemeral, -1 = off (same for tcp/tls; TLS needs {@link #withTransport})
   */
  public static SipNodeConfig of(List<String> domains, String host, int udpPort, int tcpPort) {
    return new SipNodeConfig(
        "node-1",
        domains,
        SipTransportOptions.defaults().withHost(host).withUdpPort(udpPort).withTcpPort(tcpPort),
        TransactionOptions.defaults(),
        RegistrarConfig.defaults(),
        DigestConfig.DEFAULT_NONCE_LIFETIME,
        Duration.ofSeconds(30),
        5);
  }

  public SipNodeConfig withTransport(SipTransportOptions t) {
    return new SipNodeConfig(
        nodeId, domains, t, transactions, registrar, nonceLifetime, purgeInterval, maxAuthFailures);
  }

  public SipNodeConfig withTransactions(TransactionOptions t) {
    return new SipNodeConfig(
        nodeId, domains, transport, t, registrar, nonceLifetime, purgeInterval, maxAuthFailures);
  }

  public SipNodeConfig withRegistrar(RegistrarConfig r) {
    return new SipNodeConfig(
        nodeId, domains, transport, transactions, r, nonceLifetime, purgeInterval, maxAuthFailures);
  }

  public SipNodeConfig withNodeId(String id) {
    return new SipNodeConfig(
        id,
        domains,
        transport,
        transactions,
        registrar,
        nonceLifetime,
        purgeInterval,
        maxAuthFailures);
  }

  public SipNodeConfig withNonceLifetime(Duration d) {
    return new SipNodeConfig(
        nodeId, domains, transport, transactions, registrar, d, purgeInterval, maxAuthFailures);
  }

  /**
   * Zero (or negative) turns the node's own expiry sweep off: a pool runs it as a singleton job.
   */
  public SipNodeConfig withPurgeInterval(Duration d) {
    return new SipNodeConfig(
        nodeId, domains, transport, transactions, registrar, nonceLifetime, d, maxAuthFailures);
  }

  public SipNodeConfig withMaxAuthFailures(int n) {
    return new SipNodeConfig(
        nodeId, domains, transport, transactions, registrar, nonceLifetime, purgeInterval, n);
  }

  /** The throttle these settings describe (window 1 min, lockout 30 s doubling to 15 min). */
  AuthThrottle throttle(java.time.Clock clock) {
    return new AuthThrottle(
        maxAuthFailures,
        Duration.ofMinutes(1),
        Duration.ofSeconds(30),
        Duration.ofMinutes(15),
        100_000,
        clock);
  }
}
