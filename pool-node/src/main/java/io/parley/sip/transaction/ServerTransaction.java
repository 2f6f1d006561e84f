package io.parley.sip.transaction;

import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;
import io.vertx.core.Future;
import org.jspecify.annotations.Nullable;

/** A server transaction, handed to the {@link TransactionUser} with its request. */
public interface ServerTransaction {

  String id();

  SipRequest request();

  /** The flow the request came in on; responses go back over it. */
  Flow flow();

  boolean isInvite();

  TransactionState state();

  /** Sends a provisional or final response; later retransmissions of the request get it again. */
  Future<Void> respond(SipResponse response);

  @Nullable SipResponse lastResponse();
}
