package io.parley.sip.transaction;

/** RFC 3261 §17 states, plus Accepted from RFC 6026. */
public enum TransactionState {
  CALLING,
  TRYING,
  PROCEEDING,
  COMPLETED,
  CONFIRMED,
  ACCEPTED,
  TERMINATED
}
