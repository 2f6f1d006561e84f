package io.parley.sip.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.SipTransportOptions;
import io.parley.testing.SipMessages;
import io.vertx.core.Vertx;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SipStackIT {

  @Test
  @Timeout(20)
  void wiredStackAnswersOverUdpAndStops() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      SipStack stack =
          SipStack.start(
                  vertx,
                  SipTransportOptions.defaults().withHost("127.0.0.1").withUdpPort(0),
                  TransactionOptions.defaults(),
                  (request, tx) ->
                      tx.respond(SipResponse.forRequest(request, 200, "OK").toTag("stack").build()))
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        peer.setSoTimeout(5000);
        byte[] options =
            SipMessages.wire(
                "OPTIONS sip:server@127.0.0.1 SIP/2.0\n"
                    + "Via: SIP/2.0/UDP 127.0.0.1:"
                    + peer.getLocalPort()
                    + ";branch=z9hG4bK-stack\n"
                    + "From: <sip:alice@example.test>;tag=a\n"
                    + "To: <sip:server@example.test>\n"
                    + "Call-ID: stack-1\n"
                    + "CSeq: 1 OPTIONS\n"
                    + "Content-Length: 0\n\n");
        peer.send(
            new DatagramPacket(
                options,
                options.length,
                new InetSocketAddress("127.0.0.1", stack.transport().actualUdpPort())));
        byte[] buf = new byte[4096];
        DatagramPacket answer = new DatagramPacket(buf, buf.length);
        peer.receive(answer);
        assertThat(new String(buf, 0, answer.getLength(), StandardCharsets.UTF_8))
            .startsWith("SIP/2.0 200 OK")
            .contains("tag=stack");
      }
      stack.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
