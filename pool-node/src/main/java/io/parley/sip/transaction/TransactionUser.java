package io.parley.sip.transaction;

import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;

/** The application above the transaction layer. All callbacks run on the layer's context. */
public interface TransactionUser {

  /**
   * A new request, including a retry that added or changed credentials (same branch and CSeq,
   * ms-sip-lcs2005 §4.1). The TU must eventually respond with a final response.
   */
  void onRequest(SipRequest request, ServerTransaction tx);

  /** An ACK for a 2xx (or an ACK that matched no transaction). */
  default void onAck(SipRequest ack, Flow flow) {}

  /**
   * A CANCEL that matched a server INVITE transaction. The default answers 200 to the CANCEL and
   * 487 to the INVITE when it has no final response yet.
   */
  default void onCancel(ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {
    // RFC 3261 §9.2: the 200 to the CANCEL and the 487 should carry the same To tag.
    String tag = TransactionLayer.newTag();
    cancelTx.respond(SipResponse.forRequest(cancel, 200, "OK").toTag(tag).build());
    if (invite.state() == TransactionState.PROCEEDING) {
      invite.respond(
          SipResponse.forRequest(invite.request(), 487, "Request Terminated").toTag(tag).build());
    }
  }

  /** A response that matched no client transaction (e.g. for stateless forwarding). */
  default void onStrayResponse(SipResponse response, Flow flow) {}

  /** A response of this server transaction could not be sent. */
  default void onTransportError(ServerTransaction tx, Throwable error) {}
}
