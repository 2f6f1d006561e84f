package io.parley.sip.transport;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The addresses on which this node's own listeners can be reached, so the transport never sends to
 * itself. A Via without a port, a Contact or a Request-URI naming one of the node's addresses (any
 * loopback address reaches a listener bound to all interfaces) would otherwise make the node open a
 * connection to itself: the accepted end counts against the per-address connection limit of the
 * node's own address — on 127.0.0.1, the address a local load balancer connects from — and stays
 * until the idle timeout. A client could fill that limit with a few dozen requests.
 */
final class OwnAddresses {

  private final @Nullable InetAddress bound;
  private final Set<InetAddress> interfaces;

  private OwnAddresses(@Nullable InetAddress bound, Set<InetAddress> interfaces) {
    this.bound = bound;
    this.interfaces = interfaces;
  }

  /**
   * For listeners bound to {@code host}: a literal address, or else (a wildcard such as {@code
   * 0.0.0.0}, or a host name, which is not resolved here) every interface address of the machine,
   * read once here.
   */
  static OwnAddresses forListenHost(String host) {
    InetAddress bound = literal(host);
    if (bound != null && !bound.isAnyLocalAddress()) {
      return new OwnAddresses(bound, Set.of());
    }
    return new OwnAddresses(null, interfaceAddresses());
  }

  /** Whether {@code host} (only a literal address can be judged) is one of ours. */
  boolean isOwn(String host) {
    InetAddress address = literal(host);
    return address != null && isOwn(address);
  }

  boolean isOwn(InetAddress address) {
    if (bound != null) {
      return bound.equals(address);
    }
    return address.isLoopbackAddress()
        || address.isAnyLocalAddress()
        || interfaces.contains(address);
  }

  /** The address a literal names, without a DNS lookup; null for a host name. */
  static @Nullable InetAddress literal(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (!NetUtil.isValidIpV4Address(h) && !NetUtil.isValidIpV6Address(h)) {
      return null;
    }
    InetAddress address = NetUtil.createInetAddressFromIpAddressString(h);
    byte[] bytes = address == null ? new byte[0] : address.getAddress();
    if (bytes.length == 16 && isV4Mapped(bytes)) {
      try {
        // ::ffff:a.b.c.d is how a dual-stack socket reports an IPv4 peer.
        return InetAddress.getByAddress(Arrays.copyOfRange(bytes, 12, 16)); // no lookup
      } catch (UnknownHostException e) {
        return address;
      }
    }
    return address;
  }

  private static boolean isV4Mapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
  }

  private static Set<InetAddress> interfaceAddresses() {
    Set<InetAddress> all = new HashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        all.addAll(Collections.list(nif.getInetAddresses()));
      }
    } catch (SocketException e) {
      // Without the list, loopback addresses are still recognized.
    }
    return Set.copyOf(all);
  }
}
