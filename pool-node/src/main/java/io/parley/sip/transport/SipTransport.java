package io.parley.sip.transport;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipResponse;
import io.vertx.core.Future;

/** What the transaction layer needs from a transport; {@link SipTransportLayer} implements it. */
public interface SipTransport {

  /** Sets the one handler for every parsed inbound message. */
  void inboundHandler(InboundHandler handler);

  /** Sends the message as-is over the flow (UDP: to the flow's remote address). */
  Future<Void> send(SipMessage message, Flow flow);

  /**
   * Sends a response per RFC 3261 §18.2.2 and RFC 3581: over TCP/TLS on the request's connection
   * while it is open, else to the Via's received/rport/sent-by.
   */
  Future<Void> sendResponse(SipResponse response, Flow requestFlow);

  /** Sends a response routed by its top Via only (stateless forwarding, no flow known). */
  Future<Void> sendResponse(SipResponse response);

  /** Sends to a target, reusing an open connection to it or opening one. */
  Future<Flow> sendTo(SipMessage message, String host, int port, Transport transport);

  /** Opens (TCP/TLS) an outbound connection, or makes a UDP flow value. */
  Future<Flow> connect(String host, int port, Transport transport);

  /** The host we put in our Via sent-by for this transport. */
  String sentByHost(Transport transport);

  /** The port we put in our Via sent-by for this transport. */
  int sentByPort(Transport transport);

  /** The open connection flows. */
  FlowRegistry flows();

  /** Largest message sent over UDP; larger requests go over TCP (RFC 3261 §18.1.1). */
  default int maxUdpMessageBytes() {
    return 1300;
  }
}
