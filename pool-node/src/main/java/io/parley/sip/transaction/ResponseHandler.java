package io.parley.sip.transaction;

import io.parley.sip.message.SipResponse;

/**
 * Receives the responses of a client transaction: provisional and final ones, 2xx retransmissions
 * for INVITE, a synthetic 408 on timeout (timer B/F) and a synthetic 503 on a transport error.
 */
@FunctionalInterface
public interface ResponseHandler {
  void onResponse(SipResponse response);
}
