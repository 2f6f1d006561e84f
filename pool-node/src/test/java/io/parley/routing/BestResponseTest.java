package io.parley.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.testing.SipMessages;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BestResponseTest {

  private static final SipRequest INVITE = SipMessages.invite("z9hG4bKbest");

  private static SipResponse r(int code) {
    return SipResponse.forRequest(INVITE, code, "R" + code).toTag("t" + code).build();
  }

  private static int best(int... codes) {
    List<SipResponse> finals = Arrays.stream(codes).mapToObj(BestResponseTest::r).toList();
    return BestResponse.select(finals).statusCode();
  }

  @Test
  void anySixHundredWins() {
    assertThat(best(486, 302, 603)).isEqualTo(603);
  }

  @Test
  void lowestClassWinsOtherwise() {
    assertThat(best(500, 486)).isEqualTo(486);
    assertThat(best(480, 302)).isEqualTo(302);
  }

  @Test
  void actionableFourHundredsArePreferredAndTimeoutsLeast() {
    assertThat(best(480, 407)).isEqualTo(407);
    assertThat(best(408, 486)).isEqualTo(486);
    assertThat(best(408)).isEqualTo(408);
  }

  @Test
  void chosen503BecomesA500() {
    SipResponse chosen = BestResponse.select(List.of(r(503)));
    assertThat(chosen.statusCode()).isEqualTo(500);
  }

  @Test
  void challengesOfAll401And407AreCollated() {
    SipResponse a =
        r(407).toBuilder().add(HeaderName.PROXY_AUTHENTICATE, "Digest realm=\"a\"").build();
    SipResponse b =
        r(407).toBuilder().add(HeaderName.PROXY_AUTHENTICATE, "Digest realm=\"b\"").build();

    SipResponse chosen = BestResponse.select(List.of(a, r(486), b));

    assertThat(chosen.headers().all(HeaderName.PROXY_AUTHENTICATE))
        .containsExactly("Digest realm=\"a\"", "Digest realm=\"b\"");
  }
}
