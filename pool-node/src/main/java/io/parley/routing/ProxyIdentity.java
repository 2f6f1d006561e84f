package io.parley.routing;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who this proxy is, beyond what the transport advertises. Our Via and Record-Route addresses come
 * from {@code SipTransport.sentByHost/sentByPort} (so they can never disagree with what the
 * transaction layer writes); this adds the node id and the other host names that reach this node
 * (e.g. {@code localhost}, its DNS name, the listen IP when an advertised host is set), so that a
 * Route or Request-URI naming any of them is recognised as ours.
 *
 * @param nodeId the node's id (the prefix of its flow ids), for logs and pool routing later
 * @param hostAliases further host names or IP literals of this node (compared case-insensitively)
 */
public record ProxyIdentity(String nodeId, Set<String> hostAliases) {

  public ProxyIdentity {
    hostAliases =
        hostAliases.stream()
            .map(h -> stripBrackets(h).toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
  }

  /** A node known only by its transport's advertised address. */
  public static ProxyIdentity of(String nodeId) {
    return new ProxyIdentity(nodeId, Set.of());
  }

  static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
