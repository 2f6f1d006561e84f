package io.parley.sip.transaction;

import io.parley.sip.transport.SipTransportLayer;
import io.parley.sip.transport.SipTransportOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Wires a transport and a transaction layer on one event-loop context, with the application set
 * before any listener opens (so no request can reach a layer without its TransactionUser).
 */
public final class SipStack {

  private final SipTransportLayer transport;
  private final TransactionLayer transactions;

  private SipStack(SipTransportLayer transport, TransactionLayer transactions) {
    this.transport = transport;
    this.transactions = transactions;
  }

  /** Creates both layers on a fresh (or the caller's) context and binds the listeners. */
  public static Future<SipStack> start(
      Vertx vertx,
      SipTransportOptions transportOptions,
      TransactionOptions transactionOptions,
      TransactionUser user) {
    Context context = vertx.getOrCreateContext();
    Promise<SipStack> started = Promise.promise();
    context.runOnContext(
        v -> {
          SipTransportLayer transport = SipTransportLayer.create(vertx, transportOptions);
          TransactionLayer layer =
              new TransactionLayer(
                  transport, new VertxSipTimers(vertx, context), transactionOptions);
          layer.transactionUser(user);
          SipStack stack = new SipStack(transport, layer);
          // start() runs on this context, so both layers share its event loop.
          transport.start().map(stack).onFailure(e -> layer.close()).onComplete(started);
        });
    return started.future();
  }

  public SipTransportLayer transport() {
    return transport;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  /** Stops the lag probe and closes every flow and listener. */
  public Future<Void> stop() {
    Promise<Void> p = Promise.promise();
    transport
        .context()
        .runOnContext(
            v -> {
              transactions.close();
              transport.stop().onComplete(p);
            });
    return p.future();
  }
}
