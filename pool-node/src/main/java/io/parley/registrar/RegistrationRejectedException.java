package io.parley.registrar;

/** A {@link RegistrationChange} the store refused; nothing was changed. */
public final class RegistrationRejectedException extends RuntimeException {

  /** Why the change was refused. */
  public enum Kind {
    /** Same Call-ID with a CSeq not higher than the stored one (RFC 3261 §10.3 steps 6/7). */
    OUT_OF_ORDER,
    /** The AOR would hold more bindings than allowed. */
    TOO_MANY_BINDINGS
  }

  private final Kind kind;

  public RegistrationRejectedException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
