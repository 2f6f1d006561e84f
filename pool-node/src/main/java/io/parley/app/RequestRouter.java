package io.parley.app;

import io.parley.sip.message.SipRequest;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transport.Flow;
import org.jspecify.annotations.Nullable;

/**
 * What the dispatcher hands requests to once they passed the checks and authentication: the
 * stateful proxy ({@code io.parley.routing.ProxyCore}, whose methods have exactly these signatures,
 * see APP-API.md). Kept as an interface here so the application layer does not depend on the
 * routing package; the node is given a factory for it.
 *
 * <p>Every method is called on the transaction layer's event-loop context.
 */
public interface RequestRouter {

  /**
   * A request not for the server itself (not REGISTER, not OPTIONS to our own URI), authenticated
   * and authorised.
   *
   * @param authenticatedAor the AOR the sender proved (Digest or connection identity), or null for
   *     requests that are never challenged (in-dialog requests following our Record-Route whose
   *     Request-URI is a remote target, not one of our AORs). With null, route only along the
   *     dialog / to the Contact in the Request-URI, never by AOR lookup: From is unproven.
   */
  void onRequest(
      ServerTransaction tx, SipRequest request, Flow flow, @Nullable String authenticatedAor);

  /** ACK for a 2xx (and stray ACKs): forward statelessly along the route. */
  void onAck2xx(SipRequest ack, Flow flow);

  /** A CANCEL matched the server INVITE transaction {@code invite}. */
  void onCancel(ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite);
}
