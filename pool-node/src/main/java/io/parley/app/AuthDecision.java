package io.parley.app;

import io.parley.sip.message.SipResponse;

/** What {@link DigestGate} decided about a request. */
public sealed interface AuthDecision {

  /** The sender proved it is {@code aor} (canonical, see {@code io.parley.registrar.Aors}). */
  record Authenticated(String aor) implements AuthDecision {}

  /** Answer with this (challenge, 403 or 503) and stop. */
  record Respond(SipResponse response) implements AuthDecision {}
}
