package io.parley.routing;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.CloseReason;
import io.parley.sip.transport.Flow;
import io.parley.sip.transport.FlowRegistry;
import io.parley.sip.transport.InboundHandler;
import io.parley.sip.transport.SipTransport;
import io.parley.sip.transport.Transport;
import io.vertx.core.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A fake transport for proxy tests: records sends with where they went, and knows open TCP flows
 * (the shared FakeSipTransport has none, and the proxy looks bindings' connections up by id).
 */
final class RoutingTestTransport implements SipTransport, FlowRegistry {

  static final String OUR_HOST = "192.0.2.1";
  static final int OUR_PORT = 5060;

  /** One sent message and the flow it went out on (for sendTo: the flow reused or made). */
  record Sent(SipMessage message, Flow flow) {}

  private final List<Sent> sent = new ArrayList<>();
  private final Map<String, Flow> open = new LinkedHashMap<>();
  private InboundHandler handler = (m, f) -> {};

  static Flow tcp(String id, String host, int port) {
    return new Flow(
        id,
        Transport.TCP,
        new InetSocketAddress(host, port),
        new InetSocketAddress(OUR_HOST, OUR_PORT));
  }

  static Flow udp(String host, int port) {
    return new Flow(
        "udp-" + host + ":" + port,
        Transport.UDP,
        new InetSocketAddress(host, port),
        new InetSocketAddress(OUR_HOST, OUR_PORT));
  }

  void open(Flow flow) {
    open.put(flow.id(), flow);
  }

  void close(Flow flow) {
    open.remove(flow.id());
  }

  void receive(SipMessage message, Flow flow) {
    handler.onMessage(message, flow);
  }

  List<Sent> sent() {
    return sent;
  }

  List<Sent> requests(String method) {
    return sent.stream()
        .filter(s -> s.message() instanceof SipRequest r && r.isMethod(method))
        .toList();
  }

  List<SipResponse> responsesOn(Flow flow) {
    return sent.stream()
        .filter(s -> s.message() instanceof SipResponse && s.flow().id().equals(flow.id()))
        .map(s -> (SipResponse) s.message())
        .toList();
  }

  void clear() {
    sent.clear();
  }

  @Override
  public void inboundHandler(InboundHandler h) {
    this.handler = h;
  }

  @Override
  public Future<Void> send(SipMessage message, Flow flow) {
    if (flow.reliable() && !open.containsKey(flow.id())) {
      return Future.failedFuture("flow closed");
    }
    sent.add(new Sent(message, flow));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> sendResponse(SipResponse response, Flow requestFlow) {
    sent.add(new Sent(response, requestFlow));
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> sendResponse(SipResponse response) {
    var via = response.topVia();
    sent.add(new Sent(response, udp(via.host(), via.port())));
    return Future.succeededFuture();
  }

  @Override
  public Future<Flow> sendTo(SipMessage message, String host, int port, Transport transport) {
    Flow f =
        transport == Transport.UDP
            ? udp(host, port)
            : open.values().stream()
                .filter(
                    o ->
                        o.transport() == transport
                            && o.remoteHost().equals(host)
                            && o.remotePort() == port)
                .findFirst()
                .orElse(
                    tcp(transport.name().toLowerCase() + "-out-" + host + ":" + port, host, port));
    open.putIfAbsent(f.id(), f);
    sent.add(new Sent(message, f));
    return Future.succeededFuture(f);
  }

  @Override
  public Future<Flow> connect(String host, int port, Transport transport) {
    return Future.failedFuture("not used by the proxy");
  }

  @Override
  public String sentByHost(Transport transport) {
    return OUR_HOST;
  }

  @Override
  public int sentByPort(Transport transport) {
    return OUR_PORT;
  }

  @Override
  public FlowRegistry flows() {
    return this;
  }

  @Override
  public @Nullable Flow find(String flowId) {
    return open.get(flowId);
  }

  @Override
  public Collection<Flow> openFlows() {
    return List.copyOf(open.values());
  }

  @Override
  public int openCount() {
    return open.size();
  }

  @Override
  public void addCloseListener(BiConsumer<Flow, CloseReason> listener) {}
}
