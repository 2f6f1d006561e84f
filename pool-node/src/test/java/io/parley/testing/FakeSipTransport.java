package io.parley.testing;

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
import java.util.List;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/** A transport that records what is sent and lets a test inject inbound messages. */
public final class FakeSipTransport implements SipTransport, FlowRegistry {

  /** One sent message. */
  public record Sent(SipMessage message, @Nullable Flow flow, @Nullable String target) {}

  private final List<Sent> sent = new ArrayList<>();
  private InboundHandler handler = (m, f) -> {};
  private @Nullable RuntimeException failure;

  public static Flow udpFlow() {
    return new Flow(
        "udp-192.0.2.10:5060",
        Transport.UDP,
        new InetSocketAddress("192.0.2.10", 5060),
        new InetSocketAddress("192.0.2.1", 5060));
  }

  public static Flow tcpFlow() {
    return new Flow(
        "tcp-1",
        Transport.TCP,
        new InetSocketAddress("192.0.2.10", 40000),
        new InetSocketAddress("192.0.2.1", 5060));
  }

  /** Makes every later send fail with this exception (null: succeed again). */
  public void failWith(@Nullable RuntimeException e) {
    this.failure = e;
  }

  /** Injects an inbound message. */
  public void receive(SipMessage message, Flow flow) {
    handler.onMessage(message, flow);
  }

  public List<Sent> sent() {
    return sent;
  }

  public List<SipResponse> sentResponses() {
    return sent.stream()
        .map(Sent::message)
        .filter(SipResponse.class::isInstance)
        .map(SipResponse.class::cast)
        .toList();
  }

  public List<SipRequest> sentRequests() {
    return sent.stream()
        .map(Sent::message)
        .filter(SipRequest.class::isInstance)
        .map(SipRequest.class::cast)
        .toList();
  }

  public void clear() {
    sent.clear();
  }

  private <T> Future<T> record(Sent s, T value) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    sent.add(s);
    return Future.succeededFuture(value);
  }

  @Override
  public void inboundHandler(InboundHandler h) {
    this.handler = h;
  }

  @Override
  public Future<Void> send(SipMessage message, Flow flow) {
    return record(new Sent(message, flow, null), null);
  }

  @Override
  public Future<Void> sendResponse(SipResponse response, Flow requestFlow) {
    return record(new Sent(response, requestFlow, null), null);
  }

  @Override
  public Future<Void> sendResponse(SipResponse response) {
    return record(new Sent(response, null, "via"), null);
  }

  @Override
  public Future<Flow> sendTo(SipMessage message, String host, int port, Transport transport) {
    Flow f =
        new Flow(
            transport.name().toLowerCase() + "-" + host + ":" + port,
            transport,
            InetSocketAddress.createUnresolved(host, port),
            new InetSocketAddress("192.0.2.1", 5060));
    return record(new Sent(message, f, host + ":" + port), f);
  }

  @Override
  public Future<Flow> connect(String host, int port, Transport transport) {
    return Future.failedFuture("not supported by the fake");
  }

  @Override
  public String sentByHost(Transport transport) {
    return "192.0.2.1";
  }

  @Override
  public int sentByPort(Transport transport) {
    return 5060;
  }

  @Override
  public FlowRegistry flows() {
    return this;
  }

  @Override
  public @Nullable Flow find(String flowId) {
    return null;
  }

  @Override
  public Collection<Flow> openFlows() {
    return List.of();
  }

  @Override
  public int openCount() {
    return 0;
  }

  @Override
  public void addCloseListener(BiConsumer<Flow, CloseReason> listener) {}
}
