package io.parley.pool;

import static io.parley.app.PoolPeers.flowId;
import static io.parley.app.PoolPeers.isPoolFlow;
import static io.parley.app.PoolPeers.nodeOf;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipResponse;
import io.parley.sip.parse.ParseResult;
import io.parley.sip.parse.SipMessageParser;
import io.parley.sip.transport.CloseReason;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.FlowRegistry;
import io.parley.sip.transport.InboundHandler;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.SipTransportLayer;
import io.parley.sip.transport.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's transport as the SIP layers above see it: the real listeners ({@link
 * SipTransportLayer}) plus one virtual reliable flow per live pool member, {@code pool/<nodeId>},
 * carried by the clustered event bus.
 *
 * <p>Why SIP over the bus rather than an RPC: a request for a user on another member is simply
 * proxied to that member, which proxies it on over the user's own connection. Vias, Record-Routes,
 * transactions, CANCEL and in-dialog routing then work across members exactly as across any two
 * proxies, with no second protocol to keep consistent. The bus gives ordered delivery between two
 * members (one TCP connection each way) and, with mutual TLS on pool certificates, the "trusted
 * server" rule: only a member can put a message on {@code parley.sip.<nodeId>}.
 *
 * <p>Inbound bus messages are parsed with the same parser and limits as the network's and handed to
 * the inbound handler on the transport's context, as if they had arrived on a TCP connection.
 */
public final class PoolLink implements SipTransport, FlowRegistry {

  private static final Logger log = LoggerFactory.getLogger(PoolLink.class);

  private static final String FROM_HEADER = "parley-from";

  private final Vertx vertx;
  private final SipTransportLayer local;
  private final String selfNodeId;
  private final Supplier<Set<String>> liveNodes;
  private final SipMessageParser parser;
  private final List<BiConsumer<Flow, CloseReason>> closeListeners = new CopyOnWriteArrayList<>();
  private volatile @Nullable InboundHandler handler;
  private @Nullable MessageConsumer<Buffer> consumer;

  /**
   * @param liveNodes the node ids of the members currently in the pool (this one included)
   */
  public PoolLink(
      Vertx vertx, SipTransportLayer local, String selfNodeId, Supplier<Set<String>> liveNodes) {
    this.vertx = vertx;
    this.local = local;
    this.selfNodeId = selfNodeId;
    this.liveNodes = liveNodes;
    this.parser = new SipMessageParser(local.options().limits());
  }

  /** The event-bus address a member receives SIP on. */
  public static String address(String nodeId) {
    return "parley.sip." + nodeId;
  }

  /** Starts receiving from the other members; call after the transport started. */
  public Future<Void> start() {
    Promise<Void> done = Promise.promise();
    Context ctx = local.context();
    ctx.runOnContext(
        v -> {
          // Registered from the transport's context, so deliveries run on it too.
          MessageConsumer<Buffer> c =
              vertx.eventBus().consumer(address(selfNodeId), this::onBusMessage);
          consumer = c;
          c.completion().onComplete(done);
        });
    return done.future();
  }

  /** Stops receiving; other members' sends to us are then dropped by the bus. */
  public Future<Void> stop() {
    MessageConsumer<Buffer> c = consumer;
    consumer = null;
    return c == null ? Future.succeededFuture() : c.unregister();
  }

  /** A member left the pool: its link is closed for everyone who cares (pending transactions). */
  public void memberLeft(String nodeId) {
    Flow gone = flowOf(nodeId);
    local
        .context()
        .runOnContext(
            v -> {
              for (BiConsumer<Flow, CloseReason> l : closeListeners) {
                try {
                  l.accept(gone, CloseReason.PEER_CLOSED);
                } catch (RuntimeException e) {
                  log.warn("close listener failed for {}", gone.id(), e);
                }
              }
            });
  }

  private void onBusMessage(Message<Buffer> message) {
    String from = message.headers().get(FROM_HEADER);
    InboundHandler h = handler;
    if (from == null || h == null) {
      return;
    }
    try {
      byte[] bytes = message.body().getBytes();
      ParseResult result = parser.parse(bytes);
      switch (result) {
        case ParseResult.Parsed parsed -> h.onMessage(parsed.message(), flowOf(from));
        case ParseResult.Rejected rejected ->
            // A member relays only what it parsed itself: this is a bug, not an attack.
            log.warn(
                "unparseable SIP from pool member {}: {} {}",
                from,
                rejected.statusCode(),
                rejected.reason());
      }
    } catch (RuntimeException e) {
      log.warn("SIP from pool member {} not handled", from, e);
    }
  }

  private Flow flowOf(String nodeId) {
    return new Flow(
        flowId(nodeId),
        Transport.TCP,
        InetSocketAddress.createUnresolved(nodeId, 0),
        InetSocketAddress.createUnresolved(selfNodeId, 0));
  }

  private Future<Void> sendOverBus(SipMessage message, Flow flow) {
    String node = nodeOf(flow.id());
    if (!liveNodes.get().contains(node)) {
      return Future.failedFuture("pool member " + node + " is not in the pool");
    }
    vertx
        .eventBus()
        .send(
            address(node),
            Buffer.buffer(message.toBytes()),
            new DeliveryOptions().addHeader(FROM_HEADER, selfNodeId));
    return Future.succeededFuture();
  }

  // ------------------------------------------------------------------ SipTransport

  @Override
  public void inboundHandler(InboundHandler h) {
    this.handler = h;
    local.inboundHandler(h);
  }

  @Override
  public Future<Void> send(SipMessage message, Flow flow) {
    return isPoolFlow(flow.id()) ? sendOverBus(message, flow) : local.send(message, flow);
  }

  @Override
  public Future<Void> sendResponse(SipResponse response, Flow requestFlow) {
    return isPoolFlow(requestFlow.id())
        ? sendOverBus(response, requestFlow)
        : local.sendResponse(response, requestFlow);
  }

  @Override
  public Future<Void> sendResponse(SipResponse response) {
    return local.sendResponse(response);
  }

  @Override
  public Future<Flow> sendTo(SipMessage message, String host, int port, Transport transport) {
    return local.sendTo(message, host, port, transport);
  }

  @Override
  public Future<Flow> connect(String host, int port, Transport transport) {
    return local.connect(host, port, transport);
  }

  @Override
  public String sentByHost(Transport transport) {
    return local.sentByHost(transport);
  }

  @Override
  public int sentByPort(Transport transport) {
    return local.sentByPort(transport);
  }

  @Override
  public FlowRegistry flows() {
    return this;
  }

  @Override
  public int maxUdpMessageBytes() {
    return local.maxUdpMessageBytes();
  }

  // ------------------------------------------------------------------ FlowRegistry

  @Override
  public @Nullable Flow find(String flowId) {
    if (isPoolFlow(flowId)) {
      String node = nodeOf(flowId);
      return !node.equals(selfNodeId) && liveNodes.get().contains(node) ? flowOf(node) : null;
    }
    return local.find(flowId);
  }

  @Override
  public Collection<Flow> openFlows() {
    return local.openFlows();
  }

  @Override
  public int openCount() {
    return local.openCount();
  }

  @Override
  public void addCloseListener(BiConsumer<Flow, CloseReason> listener) {
    closeListeners.add(listener);
    local.addCloseListener(listener);
  }

  /** The pool members this link can currently reach (excluding this one). */
  public List<String> peers() {
    List<String> out = new ArrayList<>(liveNodes.get());
    out.remove(selfNodeId);
    return out;
  }
}
