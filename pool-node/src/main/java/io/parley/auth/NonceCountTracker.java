package io.parley.auth;

/**
 * Remembers the highest {@code nc} accepted per nonce so a captured request cannot be replayed.
 *
 * <p>Known limit: {@link InMemoryNonceCountTracker} is per node. In a pool, a replay that lands on
 * another node than the original is only stopped by the nonce lifetime. A cluster-wide
 * implementation (e.g. a replicated map) can be plugged in behind this interface.
 */
public interface NonceCountTracker {

  /**
   * Records {@code nc} for {@code nonce} if it is higher than any seen before.
   *
   * @return false if {@code nc} is not strictly greater than the highest seen (a replay)
   */
  boolean advance(String nonce, long nc);
}
