package io.parley.routing;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipResponse;
import java.util.List;

/** RFC 3261 §16.7 steps 6 and 7: which final response a fork returns when no branch said 2xx. */
final class BestResponse {

  private BestResponse() {}

  /**
   * Any 6xx wins; otherwise the lowest class, preferring within 4xx the codes a client can act on
   * (401, 407, 415, 420, 484) and least a 408 (which only says "nobody answered"). A chosen 503 is
   * turned into 500 (the 503 concerned the downstream hop, not us), and a chosen 401/407 collects
   * the challenges of every 401/407 (step 7).
   */
  static SipResponse select(List<SipResponse> finals) {
    SipResponse best = finals.getFirst();
    for (SipResponse r : finals) {
      if (rank(r.statusCode()) < rank(best.statusCode())) {
        best = r;
      }
    }
    int code = best.statusCode();
    if (code == 503) {
      return best.toBuilder().status(500, "Server Internal Error").build();
    }
    if (code == 401 || code == 407) {
      return collateChallenges(best, finals);
    }
    return best;
  }

  /** Lower is better. */
  static int rank(int code) {
    int cls = code / 100;
    int classRank =
        switch (cls) {
          case 6 -> 0;
          case 3 -> 1;
          case 4 -> 2;
          case 5 -> 3;
          default -> 4;
        };
    int within =
        switch (code) {
          case 401, 407, 415, 420, 484 -> 0;
          case 408 -> 2;
          default -> 1;
        };
    return classRank * 10 + within;
  }

  private static SipResponse collateChallenges(SipResponse best, List<SipResponse> finals) {
    SipResponse.Builder b = best.toBuilder();
    for (SipResponse r : finals) {
      if (r == best || (r.statusCode() != 401 && r.statusCode() != 407)) {
        continue;
      }
      for (String v : r.headers().all(HeaderName.WWW_AUTHENTICATE)) {
        b.add(HeaderName.WWW_AUTHENTICATE, v);
      }
      for (String v : r.headers().all(HeaderName.PROXY_AUTHENTICATE)) {
        b.add(HeaderName.PROXY_AUTHENTICATE, v);
      }
    }
    return b.build();
  }
}
