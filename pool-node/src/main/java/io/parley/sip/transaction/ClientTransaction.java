package io.parley.sip.transaction;

import io.parley.sip.message.SipRequest;
import io.parley.sip.transport.Flow;
import org.jspecify.annotations.Nullable;

/** A client transaction created by {@link TransactionLayer#sendRequest}. */
public interface ClientTransaction {

  String id();

  /** The branch of the Via the layer pushed. */
  String branch();

  /** The request as sent (with our Via on top). */
  SipRequest request();

  TransactionState state();

  /** The flow the request went out on, once known. */
  @Nullable Flow flow();
}
