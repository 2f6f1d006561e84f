package io.parley.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;

/** This machine's addresses, for defaults of advertised hosts. */
public final class NetworkAddresses {

  private NetworkAddresses() {}

  /** The first non-loopback, non-link-local IPv4 address of an interface that is up. */
  public static Optional<String> firstNonLoopbackIpv4() {
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback() || nif.isVirtual()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
            return Optional.of(a.getHostAddress());
          }
        }
      }
    } catch (SocketException e) {
      // no interfaces listed: fall back to the caller's default
    }
    return Optional.empty();
  }
}
