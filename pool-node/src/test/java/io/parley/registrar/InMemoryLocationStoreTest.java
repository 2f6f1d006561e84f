package io.parley.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class InMemoryLocationStoreTest {

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private final InMemoryLocationStore store =
      new InMemoryLocationStore(Clock.fixed(T0, ZoneOffset.UTC));

  private static Binding binding(String aor, String contact, String flow, int expiresIn) {
    return binding(aor, contact, flow, expiresIn, null, -1);
  }

  private static Binding binding(
      String aor, String contact, String flow, int expiresIn, @Nullable String inst, int regId) {
    return new Binding(
        aor,
        contact,
        inst,
        regId,
        flow,
        "node-1",
        "TCP",
        "192.0.2.10",
        40000,
        "c-" + contact,
        1,
        1.0f,
        T0.plusSeconds(expiresIn),
        T0);
  }

  private void add(Binding b) {
    store
        .apply(
            b.aor(),
            new RegistrationChange.Update(b.callId(), b.cseq(), T0, List.of(b), List.of(), 10))
        .result();
  }

  @Test
  void removeFlowDropsOnlyThatFlowsBindingsAcrossAors() {
    add(binding("sip:alice@example.test", "sip:a@192.0.2.10", "n/tcp-1", 600));
    add(binding("sip:bob@example.test", "sip:b@192.0.2.10", "n/tcp-1", 600));
    add(binding("sip:alice@example.test", "sip:a2@192.0.2.11", "n/tcp-2", 600));

    store.removeFlow("n/tcp-1").result();

    assertThat(store.lookup("sip:alice@example.test").result())
        .extracting(Binding::contactUri)
        .containsExactly("sip:a2@192.0.2.11");
    assertThat(store.lookup("sip:bob@example.test").result()).isEmpty();
    assertThat(store.findByContact("sip:a@192.0.2.10").result()).isNull();
  }

  @Test
  void findByContactIsCaseInsensitiveAndIgnoresExpiredBindings() {
    add(binding("sip:alice@example.test", "sip:a@Host.Example", "n/tcp-1", 600));
    add(binding("sip:bob@example.test", "sip:b@192.0.2.10", "n/tcp-2", -1));

    assertThat(store.findByContact("sip:a@host.example").result())
        .extracting(Binding::aor)
        .isEqualTo("sip:alice@example.test");
    assertThat(store.findByContact("sip:b@192.0.2.10").result()).isNull();
  }

  @Test
  void purgeCountsAndForgetsExpiredBindings() {
    add(binding("sip:alice@example.test", "sip:a@192.0.2.10", "n/tcp-1", 60));
    add(binding("sip:bob@example.test", "sip:b@192.0.2.10", "n/tcp-2", 600));

    assertThat(store.purgeExpired(T0.plusSeconds(61)).result()).isEqualTo(1);
    assertThat(store.aorCount()).isEqualTo(1);
  }

  @Test
  void instanceIdWithoutRegIdIsOneDeviceWhateverItsContact() {
    add(binding("sip:alice@example.test", "sip:a@192.0.2.10:1", "n/tcp-1", 600, "<urn:x>", -1));
    add(binding("sip:alice@example.test", "sip:a@192.0.2.10:2", "n/tcp-2", 600, "<urn:x>", -1));

    assertThat(store.lookup("sip:alice@example.test").result())
        .extracting(Binding::contactUri)
        .containsExactly("sip:a@192.0.2.10:2");
  }
}
