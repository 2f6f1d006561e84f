package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.presence.PresenceEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventBusPresenceEventsTest {

  private static final String BOB = "sip:bob@example.test";

  @Test
  void aChangeTravelsWithItsComposedViewIntact() {
    byte[] pidf = "<presence>|a note with | and ü</presence>".getBytes(StandardCharsets.UTF_8);
    PresenceEvent decoded =
        EventBusPresenceEvents.decode(
            EventBusPresenceEvents.encode(
                new PresenceEvent.ViewChanged(BOB, new PresenceEvent.View(1_234_567L, pidf))));

    assertThat(decoded).isInstanceOf(PresenceEvent.ViewChanged.class);
    PresenceEvent.ViewChanged v = (PresenceEvent.ViewChanged) decoded;
    assertThat(v.presentity()).isEqualTo(BOB);
    assertThat(v.view()).isNotNull();
    assertThat(v.view().version()).isEqualTo(1_234_567L);
    assertThat(v.view().pidf()).isEqualTo(pidf);
  }

  @Test
  void aChangeWithoutAViewAndTheOtherEventsStayAsTheyWere() {
    for (PresenceEvent e :
        new PresenceEvent[] {
          new PresenceEvent.ViewChanged(BOB),
          new PresenceEvent.WatchersChanged(BOB),
          new PresenceEvent.RulesChanged(BOB, "sip:alice@example.test")
        }) {
      assertThat(EventBusPresenceEvents.decode(EventBusPresenceEvents.encode(e))).isEqualTo(e);
    }
  }

  @Test
  void aDamagedViewIsDroppedSoReceiversReadTheStateBack() {
    assertThat(EventBusPresenceEvents.decode("V|" + BOB + "|12x|AAAA"))
        .isEqualTo(new PresenceEvent.ViewChanged(BOB));
    assertThat(EventBusPresenceEvents.decode("V|" + BOB + "|12|not base64!"))
        .isEqualTo(new PresenceEvent.ViewChanged(BOB));
    assertThat(EventBusPresenceEvents.decode("V|" + BOB + "|12")).isNull();
  }
}
