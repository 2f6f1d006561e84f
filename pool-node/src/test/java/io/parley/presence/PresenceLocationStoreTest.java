package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.registrar.Binding;
import io.parley.registrar.InMemoryLocationStore;
import io.parley.registrar.RegistrationChange;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PresenceLocationStoreTest {

  private static final String BOB = "sip:bob@example.test";
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private final InMemoryPresenceEvents events = new InMemoryPresenceEvents();
  private final List<PresenceEvent> seen = new CopyOnWriteArrayList<>();
  private final PresenceLocationStore store =
      new PresenceLocationStore(new InMemoryLocationStore(Clock.fixed(T0, ZoneOffset.UTC)), events);

  {
    events.subscribe(seen::add);
  }

  private static Binding binding(String flowId, Instant expiresAt) {
    return new Binding(
        BOB,
        "sip:bob@192.0.2.1:5060",
        null,
        -1,
        flowId,
        "n1",
        "TCP",
        "192.0.2.1",
        5060,
        "c1",
        1,
        1.0f,
        expiresAt,
        T0);
  }

  private void register(long cseq, Instant now, Instant expiresAt) {
    store
        .apply(
            BOB,
            new RegistrationChange.Update(
                "c1", cseq, now, List.of(binding("n1/tcp-1", expiresAt)), List.of(), 10))
        .result();
  }

  @Test
  void onlyTheFirstBindingAndTheLastOneGoingChangeTheView() {
    register(1, T0, T0.plusSeconds(600));
    assertThat(seen).containsExactly(new PresenceEvent.ViewChanged(BOB));
    register(2, T0.plusSeconds(10), T0.plusSeconds(610));
    assertThat(seen).hasSize(1);
    store.removeFlow("n1/tcp-1").result();
    assertThat(seen).hasSize(2);
    assertThat(store.lookup(BOB).result()).isEmpty();
  }

  @Test
  void anExpiredRegistrationChangesTheViewWhenPurged() {
    register(1, T0, T0.plusSeconds(60));
    store.purgeExpired(T0.plusSeconds(30)).result();
    assertThat(seen).hasSize(1);
    store.purgeExpired(T0.plusSeconds(61)).result();
    assertThat(seen).hasSize(2);
    store.purgeExpired(T0.plusSeconds(62)).result();
    assertThat(seen).hasSize(2);
  }
}
