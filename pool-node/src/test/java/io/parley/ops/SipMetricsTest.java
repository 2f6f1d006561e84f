package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SipMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SipMetrics sip = new SipMetrics(registry);

  @Test
  void knownMethodsAreCountedByNameOthersTogether() {
    sip.requestReceived("SERVICE");
    sip.requestReceived("register"); // methods are case-sensitive: not REGISTER
    sip.requestReceived("X-EVIL-" + "A".repeat(100));

    assertThat(count(SipMetrics.REQUESTS, "method", "SERVICE")).isEqualTo(1);
    assertThat(count(SipMetrics.REQUESTS, "method", "other")).isEqualTo(2);
    assertThat(registry.find(SipMetrics.REQUESTS).counters()).hasSize(2);
  }

  @ParameterizedTest
  @CsvSource({
    "100, 1xx",
    "180, 1xx",
    "200, 2xx",
    "302, 3xx",
    "486, 4xx",
    "503, 5xx",
    "603, 6xx",
    "99, other",
    "700, other",
    "-1, other"
  })
  void responsesAreCountedByStatusClass(int status, String statusClass) {
    sip.responseSent(status);

    assertThat(count(SipMetrics.RESPONSES, "class", statusClass)).isEqualTo(1);
  }

  @Test
  void rejectionReasonsOutsideTheTokenSyntaxCountAsOther() {
    sip.requestRejected(SipMetrics.REJECT_OVERLOAD);
    sip.requestRejected("Bad Reason With Spaces");
    sip.requestRejected("x".repeat(33));

    assertThat(count(SipMetrics.REJECTED, "reason", "overload")).isEqualTo(1);
    assertThat(count(SipMetrics.REJECTED, "reason", "other")).isEqualTo(2);
  }

  @Test
  void distinctRejectionReasonsAreCapped() {
    for (int i = 0; i < SipMetrics.MAX_REASONS + 10; i++) {
      sip.requestRejected("reason-" + i);
    }

    assertThat(registry.find(SipMetrics.REJECTED).counters()).hasSize(SipMetrics.MAX_REASONS + 1);
    assertThat(count(SipMetrics.REJECTED, "reason", "other")).isEqualTo(10);
    assertThat(count(SipMetrics.REJECTED, "reason", "reason-0")).isEqualTo(1);
  }

  private double count(String name, String tag, String value) {
    Counter c = registry.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }
}
