package io.parley.sip.transaction;

/**
 * Options of the {@link TransactionLayer}.
 *
 * @param timers RFC 3261 timer values
 * @param maxTransactions hard cap of transactions in flight (client transactions plus server
 *     transactions awaiting a final response); beyond it even in-dialog requests get 503
 * @param overload shedding policy
 * @param maxCompletedTransactions finished UDP non-INVITE server transactions kept to absorb
 *     retransmissions (timer J, 32 s); beyond it the oldest are ended early, which bounds memory at
 *     high request rates (about 2,000 REGISTER calls/s over UDP fill 128,000)
 */
public record TransactionOptions(
    SipTimerSettings timers,
    int maxTransactions,
    OverloadPolicy overload,
    int maxCompletedTransactions) {

  public static final int DEFAULT_MAX_COMPLETED_TRANSACTIONS = 128_000;

  public TransactionOptions {
    if (maxCompletedTransactions < 0) {
      throw new IllegalArgumentException("maxCompletedTransactions < 0");
    }
  }

  public TransactionOptions(SipTimerSettings timers, int maxTransactions, OverloadPolicy overload) {
    this(timers, maxTransactions, overload, DEFAULT_MAX_COMPLETED_TRANSACTIONS);
  }

  public static TransactionOptions defaults() {
    return new TransactionOptions(SipTimerSettings.defaults(), 20_000, OverloadPolicy.defaults());
  }

  public TransactionOptions withTimers(SipTimerSettings t) {
    return new TransactionOptions(t, maxTransactions, overload, maxCompletedTransactions);
  }

  public TransactionOptions withMaxTransactions(int max) {
    return new TransactionOptions(timers, max, overload, maxCompletedTransactions);
  }

  public TransactionOptions withOverload(OverloadPolicy policy) {
    return new TransactionOptions(timers, maxTransactions, policy, maxCompletedTransactions);
  }

  public TransactionOptions withMaxCompletedTransactions(int max) {
    return new TransactionOptions(timers, maxTransactions, overload, max);
  }
}
