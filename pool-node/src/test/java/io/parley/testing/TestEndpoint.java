package io.parley.testing;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transaction.OverloadPolicy;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transaction.TransactionLayer;
import io.parley.sip.transaction.TransactionOptions;
import io.parley.sip.transaction.TransactionUser;
import io.parley.sip.transaction.VertxSipTimers;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.FlowRegistry;
import io.parley.sip.transport.InboundHandler;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.SipTransportLayer;
import io.parley.sip.transport.SipTransportOptions;
import io.parley.sip.transport.Transport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Parley endpoint made of the real transport and transaction layers with a tiny application: 200
 * to OPTIONS and MESSAGE (after {@link #responseDelay} if set), 501 to anything else.
 */
public final class TestEndpoint implements TransactionUser {

  private final Vertx vertx;
  private final SipTransportLayer transport;
  private TransactionLayer transactions;
  private final List<SipRequest> received = new CopyOnWriteArrayList<>();
  private final List<SipMessage> inbound = new CopyOnWriteArrayList<>();
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile boolean challenge;
  private final List<SipRequest> acks = new CopyOnWriteArrayList<>();

  private TestEndpoint(Vertx vertx, SipTransportOptions options) {
    this.vertx = vertx;
    this.transport = SipTransportLayer.create(vertx, options);
  }

  /** Starts an endpoint and waits for its listeners. */
  public static TestEndpoint start(Vertx vertx, SipTransportOptions options) throws Exception {
    // No lag probe: CI machines are shared and a loaded CPU would shed the test traffic; the
    // probe has its own fake-time tests.
    TransactionOptions tx = TransactionOptions.defaults();
    return start(
        vertx,
        options,
        tx.withOverload(
            new OverloadPolicy(
                tx.overload().highWatermark(),
                tx.overload().lowWatermark(),
                Duration.ZERO,
                tx.overload().retryAfterSeconds())));
  }

  public static TestEndpoint start(
      Vertx vertx, SipTransportOptions options, TransactionOptions txOptions) throws Exception {
    TestEndpoint e = new TestEndpoint(vertx, options);
    e.transport.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    e.onContext(
        () -> {
          e.transactions =
              new TransactionLayer(
                  e.counting(), new VertxSipTimers(vertx, e.transport.context()), txOptions);
          e.transactions.transactionUser(e);
          return Future.succeededFuture();
        });
    return e;
  }

  /** Runs the action on the endpoint's context and waits for its result. */
  public <T> T onContext(Supplier<Future<T>> action) throws Exception {
    Promise<T> p = Promise.promise();
    transport.context().runOnContext(v -> action.get().onComplete(p));
    return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public SipTransportLayer transport() {
    return transport;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  /** Every message the transport delivered (retransmissions included). */
  public List<SipMessage> inbound() {
    return inbound;
  }

  /** The transport as the transaction layer sees it, counting inbound messages. */
  private SipTransport counting() {
    SipTransportLayer t = transport;
    return new SipTransport() {
      @Override
      public void inboundHandler(InboundHandler handler) {
        t.inboundHandler(
            (m, f) -> {
              inbound.add(m);
              handler.onMessage(m, f);
            });
      }

      @Override
      public Future<Void> send(SipMessage message, Flow flow) {
        return t.send(message, flow);
      }

      @Override
      public Future<Void> sendResponse(SipResponse response, Flow requestFlow) {
        return t.sendResponse(response, requestFlow);
      }

      @Override
      public Future<Void> sendResponse(SipResponse response) {
        return t.sendResponse(response);
      }

      @Override
      public Future<Flow> sendTo(SipMessage message, String host, int port, Transport tp) {
        return t.sendTo(message, host, port, tp);
      }

      @Override
      public Future<Flow> connect(String host, int port, Transport tp) {
        return t.connect(host, port, tp);
      }

      @Override
      public String sentByHost(Transport tp) {
        return t.sentByHost(tp);
      }

      @Override
      public int sentByPort(Transport tp) {
        return t.sentByPort(tp);
      }

      @Override
      public FlowRegistry flows() {
        return t.flows();
      }
    };
  }

  /** Requests the application saw (retransmissions excluded). */
  public List<SipRequest> received() {
    return received;
  }

  /** ACKs the application saw (ACK for 2xx or unmatched). */
  public List<SipRequest> acks() {
    return acks;
  }

  /** When on, requests without Proxy-Authorization get 407 (as Digest toward SIPE does). */
  public void challenge(boolean on) {
    this.challenge = on;
  }

  @Override
  public void onAck(SipRequest ack, io.parley.sip.transport.Flow flow) {
    acks.add(ack);
  }

  public void responseDelay(Duration delay) {
    this.responseDelay = delay;
  }

  public void stop() throws Exception {
    onContext(
        () -> {
          transactions.close();
          return Future.succeededFuture();
        });
    transport.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  public void onRequest(SipRequest request, ServerTransaction tx) {
    received.add(request);
    int code = request.isMethod("OPTIONS") || request.isMethod("MESSAGE") ? 200 : 501;
    boolean challenged =
        challenge && request.header(io.parley.sip.message.HeaderName.PROXY_AUTHORIZATION) == null;
    if (challenged) {
      code = 407;
    }
    String reason =
        switch (code) {
          case 200 -> "OK";
          case 407 -> "Proxy Authentication Required";
          default -> "Not Implemented";
        };
    SipResponse.Builder b = SipResponse.forRequest(request, code, reason);
    if (challenged) {
      b.add(
          io.parley.sip.message.HeaderName.PROXY_AUTHENTICATE,
          "Digest realm=\"example.test\", nonce=\"n1\", qop=\"auth\"");
    }
    if (request.to().tag() == null) {
      b.toTag(TransactionLayer.newTag());
    }
    SipResponse response = b.build();
    long delay = responseDelay.toMillis();
    if (delay > 0) {
      vertx.setTimer(delay, t -> tx.respond(response));
    } else {
      tx.respond(response);
    }
  }
}
