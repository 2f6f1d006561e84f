package io.parley.sip.transport;

import static io.parley.testing.SipMessages.wire;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.Via;
import io.parley.testing.SipMessages;
import io.parley.testing.TestEndpoint;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport against raw UDP and TCP peers ("bad clients"). */
@Timeout(30)
class SipTransportIT {

  private Vertx vertx;
  private TestEndpoint endpoint;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    endpoint =
        TestEndpoint.start(
            vertx,
            SipTransportOptions.defaults()
                .withHost("127.0.0.1")
                .withUdpPort(0)
                .withTcpPort(0)
                .withMaxConnectionsPerAddress(3)
                .withHeaderReadTimeout(Duration.ofMillis(600))
                .withIdleTimeout(Duration.ofSeconds(5)));
  }

  @AfterEach
  void tearDown() throws Exception {
    endpoint.stop();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private int tcpPort() {
    return endpoint.transport().actualTcpPort();
  }

  private static String message(
      String transport, String viaHostPort, String branchParams, int cseq) {
    return "MESSAGE sip:bob@127.0.0.1 SIP/2.0\n"
        + "Via: SIP/2.0/"
        + transport
        + " "
        + viaHostPort
        + branchParams
        + "\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:alice@example.test>;tag=a1\n"
        + "To: <sip:bob@example.test>\n"
        + "Call-ID: raw-"
        + cseq
        + "@example.test\n"
        + "CSeq: "
        + cseq
        + " MESSAGE\n"
        + "Content-Type: text/plain\n"
        + "Content-Length: 5\n\nhello";
  }

  // ------------------------------------------------------------------ UDP

  @Test
  void udpRetransmissionIsDeliveredOnceAndAnsweredTwiceIdentically() throws Exception {
    try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      peer.setSoTimeout(5000);
      byte[] req =
          wire(message("UDP", "127.0.0.1:" + peer.getLocalPort(), ";branch=z9hG4bK-udp1", 1));
      InetSocketAddress server =
          new InetSocketAddress("127.0.0.1", endpoint.transport().actualUdpPort());
      peer.send(new DatagramPacket(req, req.length, server));
      byte[] first = receive(peer);
      peer.send(new DatagramPacket(req, req.length, server));
      byte[] second = receive(peer);

      assertThat(new String(first, StandardCharsets.UTF_8)).startsWith("SIP/2.0 200 OK");
      assertThat(second).isEqualTo(first);
      assertThat(endpoint.received()).hasSize(1);
    }
  }

  @Test
  void aBurstArrivingWhileTheEventLoopIsBusyIsAnsweredInFull() throws Exception {
    // The kernel must grant the buffer the transport asks for (net.core.rmem_max); with Linux's
    // stock 208 KiB limit the burst below cannot fit whatever the node does.
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      probe.setReceiveBufferSize(512 * 1024);
      assumeThat(probe.getReceiveBufferSize()).isGreaterThanOrEqualTo(512 * 1024);
    }
    int burst = 600; // ~3.6x what the kernel's default receive buffer holds
    try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      peer.setReceiveBufferSize(4 * 1024 * 1024);
      peer.setSoTimeout(5000);
      InetSocketAddress server =
          new InetSocketAddress("127.0.0.1", endpoint.transport().actualUdpPort());
      // The node's event loop is held (as by a GC pause or a long task) while the burst arrives:
      // everything waits in the socket's receive buffer.
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch held = new CountDownLatch(1);
      endpoint
          .transport()
          .context()
          .runOnContext(
              v -> {
                held.countDown();
                try {
                  release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      assertThat(held.await(20, TimeUnit.SECONDS)).isTrue();
      for (int i = 1; i <= burst; i++) {
        byte[] req =
            wire(
                message("UDP", "127.0.0.1:" + peer.getLocalPort(), ";branch=z9hG4bK-burst" + i, i));
        peer.send(new DatagramPacket(req, req.length, server));
      }
      release.countDown();

      Set<String> answered = new HashSet<>();
      try {
        while (answered.size() < burst) {
          String r = text(receive(peer));
          int at = r.indexOf("Call-ID: ");
          if (r.startsWith("SIP/2.0 200 OK") && at >= 0) {
            answered.add(r.substring(at, r.indexOf('\r', at)));
          }
        }
      } catch (SocketTimeoutException e) {
        // fall through: the assertion below says how many were lost
      }
      assertThat(answered).hasSize(burst);
    }
  }

  @Test
  void udpResponseFollowsRportAndReceived() throws Exception {
    try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      peer.setSoTimeout(5000);
      // The Via names a host and port the peer is not at (a NAT): only rport brings it back.
      byte[] req = wire(message("UDP", "198.51.100.7:5999", ";branch=z9hG4bK-nat;rport", 2));
      peer.send(
          new DatagramPacket(
              req,
              req.length,
              new InetSocketAddress("127.0.0.1", endpoint.transport().actualUdpPort())));
      SipResponse resp = (SipResponse) SipMessages.parse(text(receive(peer)));
      Via via = resp.topVia();
      assertThat(via.received()).isEqualTo("127.0.0.1");
      assertThat(via.rport()).isEqualTo(peer.getLocalPort());
    }
  }

  @Test
  void udpRefusesMessagesAboveTheSizeLimit() throws Exception {
    SipMessage big =
        SipMessages.parse(
            message("UDP", "127.0.0.1:5060", ";branch=z9hG4bK-big", 3)
                .replace(
                    "Content-Length: 5\n\nhello", "Content-Length: 1500\n\n" + "x".repeat(1500)));
    Flow flow =
        endpoint
            .transport()
            .connect("127.0.0.1", 9, Transport.UDP)
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
    assertThatThrownBy(
            () ->
                endpoint
                    .transport()
                    .send(big, flow)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            SipTransportException.class,
            e -> assertThat(e.kind()).isEqualTo(SipTransportException.Kind.MESSAGE_TOO_LARGE));
  }

  // ------------------------------------------------------------------ TCP

  @Test
  void pipelinedRequestsInOneWriteAreBothAnswered() throws Exception {
    try (Socket s = connect()) {
      String sipeVia = "10.1.2.3:50123"; // SIPE: its local address, lower-case transport, no rport
      byte[] two =
          (text(wire(message("tcp", sipeVia, "", 1))) + text(wire(message("tcp", sipeVia, "", 2))))
              .getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write(two);
      s.getOutputStream().flush();
      String answers = readUntil(s.getInputStream(), "CSeq: 2 MESSAGE");
      assertThat(answers).contains("CSeq: 1 MESSAGE").contains("CSeq: 2 MESSAGE");
      assertThat(answers).contains("received=127.0.0.1");
      assertThat(endpoint.received()).hasSize(2);
    }
  }

  @Test
  void sipeDigestRetryWithSameBranchAndCSeqReachesTheApplication() throws Exception {
    endpoint.challenge(true);
    try (Socket s = connect()) {
      String first = text(wire(message("tcp", "10.1.2.3:50123", ";branch=z9hG4bK-sipe", 9)));
      s.getOutputStream().write(first.getBytes(StandardCharsets.UTF_8));
      assertThat(readUntil(s.getInputStream(), "\r\n\r\n")).startsWith("SIP/2.0 407");
      // ms-sip-lcs2005 §4.1: byte-for-byte the same request plus Proxy-Authorization.
      String retry =
          first.replace(
              "Max-Forwards: 70\r\n",
              "Max-Forwards: 70\r\nProxy-Authorization: Digest username=\"alice\", realm=\"example.test\","
                  + " nonce=\"n1\", uri=\"(null)\", qop=auth, nc=00000001, cnonce=\"c\","
                  + " response=\"0123\"\r\n");
      s.getOutputStream().write(retry.getBytes(StandardCharsets.UTF_8));
      assertThat(readUntil(s.getInputStream(), "\r\n\r\n")).startsWith("SIP/2.0 200 OK");
    }
    assertThat(endpoint.received()).hasSize(2);
  }

  @Test
  void requestFragmentedByteByByteIsAnswered() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      for (byte b : wire(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-frag", 7))) {
        out.write(b);
        out.flush();
      }
      assertThat(readUntil(s.getInputStream(), "CSeq: 7 MESSAGE")).startsWith("SIP/2.0 200 OK");
    }
  }

  @Test
  void doubleCrlfKeepAliveIsAnsweredWithCrlf() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      byte[] pong = s.getInputStream().readNBytes(2);
      assertThat(pong).isEqualTo(new byte[] {'\r', '\n'});
    }
  }

  @Test
  void malformedRequestGets400AndTheConnectionStaysUsable() throws Exception {
    try (Socket s = connect()) {
      String bad =
          text(wire(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-bad", 1)))
              .replace("CSeq: 1 MESSAGE", "CSeq: one MESSAGE");
      s.getOutputStream().write(bad.getBytes(StandardCharsets.UTF_8));
      assertThat(readUntil(s.getInputStream(), "\r\n\r\n")).startsWith("SIP/2.0 400");
      s.getOutputStream().write(wire(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-ok", 2)));
      assertThat(readUntil(s.getInputStream(), "CSeq: 2 MESSAGE")).contains("200 OK");
    }
  }

  @Test
  void framingLossClosesTheConnection() throws Exception {
    List<CloseReason> reasons = new CopyOnWriteArrayList<>();
    endpoint.transport().flows().addCloseListener((f, r) -> reasons.add(r));
    try (Socket s = connect()) {
      String noLength =
          text(wire(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-nolen", 1)))
              .replace("Content-Length: 5\r\n", "");
      s.getOutputStream().write(noLength.getBytes(StandardCharsets.UTF_8));
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> reasons.contains(CloseReason.FRAMING_LOST));
  }

  @Test
  void partialMessageLeftTooLongIsClosedByTheHeaderReadTimeout() throws Exception {
    List<CloseReason> reasons = new CopyOnWriteArrayList<>();
    endpoint.transport().flows().addCloseListener((f, r) -> reasons.add(r));
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              "MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP x"
                  .getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> reasons.contains(CloseReason.HEADER_READ_TIMEOUT));
  }

  @Test
  void connectionsAboveThePerAddressCapAreRefused() throws Exception {
    try (Socket a = connect();
        Socket b = connect();
        Socket c = connect();
        Socket d = connect()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.transport().openCount() == 3);
      d.setSoTimeout(5000);
      assertThat(d.getInputStream().read()).isEqualTo(-1);
      // The three admitted connections still work.
      a.getOutputStream().write(wire(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-cap", 1)));
      assertThat(readUntil(a.getInputStream(), "CSeq: 1 MESSAGE")).contains("200 OK");
    }
  }

  @Test
  void idleConnectionIsClosedAndTheGlobalCapHolds() throws Exception {
    TestEndpoint small =
        TestEndpoint.start(
            vertx,
            SipTransportOptions.defaults()
                .withHost("127.0.0.1")
                .withTcpPort(0)
                .withMaxConnections(1)
                .withIdleTimeout(Duration.ofMillis(400)));
    List<CloseReason> reasons = new CopyOnWriteArrayList<>();
    small.transport().flows().addCloseListener((f, r) -> reasons.add(r));
    try (Socket a = new Socket("127.0.0.1", small.transport().actualTcpPort());
        Socket b = new Socket("127.0.0.1", small.transport().actualTcpPort())) {
      b.setSoTimeout(5000);
      assertThat(b.getInputStream().read()).isEqualTo(-1); // over the global cap of 1
      a.setSoTimeout(5000);
      long start = System.nanoTime();
      assertThat(a.getInputStream().read()).isEqualTo(-1); // idle for 400 ms
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    } finally {
      small.stop();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> reasons.contains(CloseReason.IDLE_TIMEOUT));
  }

  @Test
  void peerThatStopsReadingIsDisconnectedInsteadOfBufferedForever() throws Exception {
    List<CloseReason> reasons = new CopyOnWriteArrayList<>();
    endpoint.transport().flows().addCloseListener((f, r) -> reasons.add(r));
    SipMessage big =
        SipMessages.parse(
            message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-big", 1)
                .replace(
                    "Content-Length: 5\n\nhello", "Content-Length: 65536\n\n" + "x".repeat(65536)));
    try (Socket lazy = connect()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.transport().openCount() == 1);
      Flow flow = endpoint.transport().openFlows().iterator().next();
      // Far more than the kernel buffers plus our 1 MiB queue; write futures of a stalled peer
      // never complete, so they are not awaited.
      List<Future<Void>> sends = new java.util.ArrayList<>();
      for (int i = 0; i < 400; i++) {
        sends.add(endpoint.transport().send(big, flow));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sends.stream().anyMatch(Future::failed));
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> reasons.contains(CloseReason.WRITE_QUEUE_FULL));
  }

  @Test
  void closedFlowIsReportedAndSendingOnItFails() throws Exception {
    List<Flow> closed = new CopyOnWriteArrayList<>();
    endpoint.transport().flows().addCloseListener((f, r) -> closed.add(f));
    Flow flow;
    try (Socket s = connect()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> endpoint.transport().openCount() == 1);
      flow = endpoint.transport().openFlows().iterator().next();
      assertThat(endpoint.transport().find(flow.id())).isEqualTo(flow);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> closed.contains(flow));
    SipMessage m = SipMessages.parse(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-gone", 1));
    assertThatThrownBy(
            () ->
                endpoint
                    .transport()
                    .send(m, flow)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS))
        .hasCauseInstanceOf(SipTransportException.class);
  }

  @Test
  void outboundConnectionIsReusedAndCarriesRequests() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      peer.setSoTimeout(5000);
      SipMessage m = SipMessages.parse(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-out", 1));
      // Two sends before the connection is up share one connection attempt.
      Future<Flow> first =
          endpoint.transport().sendTo(m, "127.0.0.1", peer.getLocalPort(), Transport.TCP);
      Future<Flow> second =
          endpoint.transport().sendTo(m, "127.0.0.1", peer.getLocalPort(), Transport.TCP);
      try (Socket accepted = peer.accept()) {
        Flow f1 = first.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        Flow f2 = second.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(f2.id()).isEqualTo(f1.id());
        Flow f3 =
            endpoint
                .transport()
                .connect("127.0.0.1", peer.getLocalPort(), Transport.TCP)
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(f3.id()).isEqualTo(f1.id());
        String got = readUntil(accepted.getInputStream(), "helloMESSAGE"); // both on one connection
        assertThat(got).startsWith("MESSAGE sip:bob@127.0.0.1 SIP/2.0");
      }
    }
  }

  @Test
  void responsesWhoseViaNamesTheNodeItselfDoNotFillItsOwnAddressWithConnections() throws Exception {
    // Listening on every interface, as a standalone node does: any 127.x address reaches it.
    TestEndpoint wildcard =
        TestEndpoint.start(
            vertx,
            SipTransportOptions.defaults()
                .withHost("0.0.0.0")
                .withTcpPort(0)
                .withUdpPort(-1)
                .withMaxConnectionsPerAddress(3));
    wildcard.responseDelay(Duration.ofMillis(300));
    int port = wildcard.transport().actualTcpPort();
    try {
      for (int i = 1; i <= 4; i++) {
        // The connection is gone when the response is ready, so it is routed by the Via (RFC
        // 3261 §18.2.2): received=127.0.0.1 and the port given, the node's own TCP port.
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.getOutputStream()
              .write(wire(message("TCP", "127.0.0.2:" + port, ";branch=z9hG4bK-self" + i, i)));
        }
      }
      Thread.sleep(1000); // all four responses were due
      await().atMost(Duration.ofSeconds(5)).until(() -> wildcard.transport().openCount() == 0);
      // 127.0.0.1's three connections are not held by the node's connections to itself.
      wildcard.responseDelay(Duration.ZERO);
      try (Socket client = new Socket("127.0.0.1", port)) {
        client.setSoTimeout(5000);
        client
            .getOutputStream()
            .write(wire(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-after", 9)));
        assertThat(readUntil(client.getInputStream(), "CSeq: 9 MESSAGE")).contains("200 OK");
      }
      // Asked directly, by address or by a name resolving to it, the transport refuses too.
      SipMessage m = SipMessages.parse(message("TCP", "127.0.0.1:1", ";branch=z9hG4bK-d", 10));
      for (String host : List.of("127.0.0.1", "127.9.9.9", "localhost")) {
        assertThatThrownBy(
                () ->
                    wildcard
                        .transport()
                        .sendTo(m, host, port, Transport.TCP)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS))
            .hasRootCauseMessage(
                "TCP target " + host + ":" + port + " is this node's own listener (a loop)");
      }
    } finally {
      wildcard.stop();
    }
  }

  @Test
  void udpIsNotSentToTheNodesOwnListener() {
    SipMessage m = SipMessages.parse(message("UDP", "127.0.0.1:1", ";branch=z9hG4bK-u", 1));
    int udp = endpoint.transport().actualUdpPort();
    assertThatThrownBy(
            () ->
                endpoint
                    .transport()
                    .sendTo(m, "127.0.0.1", udp, Transport.UDP)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS))
        .hasRootCauseMessage(
            "UDP target 127.0.0.1:" + udp + " is this node's own listener (a loop)");
  }

  // ------------------------------------------------------------------ helpers

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", tcpPort());
    s.setSoTimeout(5000);
    s.setTcpNoDelay(true);
    return s;
  }

  private static byte[] receive(DatagramSocket s) throws IOException {
    byte[] buf = new byte[65535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.receive(p);
    return java.util.Arrays.copyOf(p.getData(), p.getLength());
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    while (!got.toString(StandardCharsets.UTF_8).contains(marker)) {
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("timed out waiting for " + marker + " in: " + got, e);
      }
      if (n < 0) {
        throw new AssertionError("closed before " + marker + " in: " + got);
      }
      got.write(buf, 0, n);
    }
    // Let the rest of a response (the part after the marker) arrive too.
    return got.toString(StandardCharsets.UTF_8);
  }
}
