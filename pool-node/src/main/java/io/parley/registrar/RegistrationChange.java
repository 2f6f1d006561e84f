package io.parley.registrar;

import java.time.Instant;
import java.util.List;

/**
 * One REGISTER's effect on an AOR, applied atomically by {@link LocationStore#apply}. A value (not
 * a callback) so that a distributed store can run it where the data lives.
 *
 * <p>Both variants carry the request's Call-ID and CSeq: RFC 3261 §10.3 steps 6 and 7 abort the
 * whole update when an existing binding has the same Call-ID and a CSeq that is not lower; the
 * store then fails the future with {@link RegistrationRejectedException} of kind {@code
 * OUT_OF_ORDER}.
 */
public sealed interface RegistrationChange {

  /** Call-ID of the REGISTER. */
  String callId();

  /** CSeq number of the REGISTER. */
  long cseq();

  /** The time the change is made at (expired bindings are dropped relative to it). */
  Instant now();

  /** {@code Contact: *} with {@code Expires: 0}: remove every binding of the AOR. */
  record RemoveAll(String callId, long cseq, Instant now) implements RegistrationChange {}

  /**
   * Add or refresh {@code upserts} (matched by {@link Binding#key()}) and remove the bindings whose
   * keys match {@code removals} (the contacts that had expires=0).
   *
   * @param maxBindings the most bindings an AOR may hold afterwards; exceeding it fails the change
   *     with kind {@code TOO_MANY_BINDINGS}
   */
  record Update(
      String callId,
      long cseq,
      Instant now,
      List<Binding> upserts,
      List<Binding> removals,
      int maxBindings)
      implements RegistrationChange {
    public Update {
      upserts = List.copyOf(upserts);
      removals = List.copyOf(removals);
    }
  }
}
