package io.parley.sip.transaction;

/**
 * Options of the {@link TransactionLayer}.
 *
 * @param timers RFC 3261 timer values
 * @param maxTransactions hard cap of the transaction table (client + server)
 * @param overload shedding policy
 */
public record TransactionOptions(
    SipTimerSettings timers, int maxTransactions, OverloadPolicy overload) {

  public static TransactionOptions defaults() {
    return new TransactionOptions(SipTimerSettings.defaults(), 20_000, OverloadPolicy.defaults());
  }

  public TransactionOptions withTimers(SipTimerSettings t) {
    return new TransactionOptions(t, maxTransactions, overload);
  }

  public TransactionOptions withMaxTransactions(int max) {
    return new TransactionOptions(timers, max, overload);
  }

  public TransactionOptions withOverload(OverloadPolicy policy) {
    return new TransactionOptions(timers, maxTransactions, policy);
  }
}
