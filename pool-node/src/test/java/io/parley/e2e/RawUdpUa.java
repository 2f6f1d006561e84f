package io.parley.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A bare UDP socket speaking SIP by hand: unlike a SIP stack it has no client transaction that
 * would absorb a second final response, so it shows exactly what the node sends.
 */
final class RawUdpUa implements AutoCloseable {

  private final DatagramSocket socket;
  private final InetSocketAddress node;

  RawUdpUa(int nodePort) throws IOException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    node = new InetSocketAddress(InetAddress.getLoopbackAddress(), nodePort);
  }

  /** A MESSAGE from {@code fromUser} to {@code target}, with an optional Proxy-Authorization. */
  String message(
      String fromUser,
      String target,
      String callId,
      int cseq,
      String body,
      @Nullable String proxyAuthorization) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    return "MESSAGE "
        + target
        + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:"
        + socket.getLocalPort()
        + ";rport;branch=z9hG4bK-raw-"
        + callId
        + "-"
        + cseq
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:"
        + fromUser
        + "@example.test>;tag=raw-"
        + callId
        + "\r\n"
        + "To: <"
        + target
        + ">\r\n"
        + "Call-ID: "
        + callId
        + "\r\n"
        + "CSeq: "
        + cseq
        + " MESSAGE\r\n"
        + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
        + "Content-Type: text/plain\r\n"
        + "Content-Length: "
        + content.length
        + "\r\n\r\n"
        + body;
  }

  void send(String message) throws IOException {
    byte[] b = message.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(b, b.length, node));
  }

  /** The next datagram, or null after {@code timeoutMillis}. */
  @Nullable String receive(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    byte[] buf = new byte[65_535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  /** Every datagram arriving within {@code windowMillis}. */
  List<String> receiveAll(int windowMillis) throws IOException {
    List<String> out = new ArrayList<>();
    long end = System.currentTimeMillis() + windowMillis;
    for (long left = windowMillis; left > 0; left = end - System.currentTimeMillis()) {
      String m = receive((int) left);
      if (m == null) {
        break;
      }
      out.add(m);
    }
    return out;
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(8, 11));
  }

  /** The first value of a header (case-insensitive name), or null. */
  static @Nullable String header(String message, String name) {
    for (String line : message.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0
          && line.substring(0, colon)
              .strip()
              .toLowerCase(Locale.ROOT)
              .equals(name.toLowerCase(Locale.ROOT))) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }

  @Override
  public void close() {
    socket.close();
  }
}
