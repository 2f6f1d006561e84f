package io.parley.sip.transport;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipMessage;
import io.parley.sip.message.Via;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the Via stack of a message. The builder works on header fields, and one field may hold
 * several comma-separated Vias, so the stack is rewritten as a whole, one field per Via.
 */
public final class ViaHeaders {

  private ViaHeaders() {}

  /** The message with its top Via replaced. */
  public static SipMessage replaceTop(SipMessage message, Via top) {
    List<Via> vias = new ArrayList<>(message.vias());
    vias.set(0, top);
    return rebuild(message, vias);
  }

  /** The message with its top Via removed. */
  public static SipMessage popTop(SipMessage message) {
    List<Via> vias = new ArrayList<>(message.vias());
    vias.removeFirst();
    return rebuild(message, vias);
  }

  private static SipMessage rebuild(SipMessage message, List<Via> vias) {
    SipMessage.Builder b = message.toBuilder().remove(HeaderName.VIA);
    for (int i = vias.size() - 1; i >= 0; i--) {
      b.addFirst(HeaderName.VIA, vias.get(i).toString());
    }
    return b.build();
  }
}
