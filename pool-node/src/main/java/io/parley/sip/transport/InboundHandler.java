package io.parley.sip.transport;

import io.parley.sip.message.SipMessage;

/** Receives every message the transport parsed, with the flow it came in on. */
@FunctionalInterface
public interface InboundHandler {
  void onMessage(SipMessage message, Flow flow);
}
