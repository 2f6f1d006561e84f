package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.presence.PresenceEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class EventBusPresenceEventsTest {

  private static final String ALICE = "sip:alice@example.test";
  private static final String BOB = "sip:bob@example.test";

  @Test
  void everyEventKindSurvivesTheWireUnchanged() {
    List<PresenceEvent> events =
        List.of(
            new PresenceEvent.ViewChanged(ALICE),
            new PresenceEvent.WatchersChanged(ALICE),
            new PresenceEvent.ListsChanged(ALICE),
            new PresenceEvent.RulesChanged(ALICE, BOB));
    for (PresenceEvent e : events) {
      assertThat(EventBusPresenceEvents.decode(EventBusPresenceEvents.encode(e))).isEqualTo(e);
    }
  }

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
  void unknownMalformedOrOversizedInputDecodesToNothing() {
    for (String garbage :
        List.of(
            "",
            "|",
            "V",
            "V|",
            "L|",
            "L||",
            "L|" + ALICE + "|" + BOB,
            "R|" + ALICE,
            "R|" + ALICE + "|",
            "R||" + BOB,
            "W|a|b",
            "X|" + ALICE,
            "v|" + ALICE,
            "\u0000|\u0000",
            "L|" + "a".repeat(300_000))) {
      assertThat(EventBusPresenceEvents.decode(garbage)).as("%s", garbage).isNull();
    }
  }

  @Test
  void garbageOnTheEventBusIsDroppedAndLaterEventsStillArrive() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (EventBusPresenceEvents bus = new EventBusPresenceEvents(vertx)) {
      List<PresenceEvent> got = new CopyOnWriteArrayList<>();
      bus.subscribe(got::add);
      vertx.eventBus().publish(EventBusPresenceEvents.ADDRESS, new JsonObject().put("V", ALICE));
      vertx.eventBus().publish(EventBusPresenceEvents.ADDRESS, "Z|" + ALICE);
      vertx.eventBus().publish(EventBusPresenceEvents.ADDRESS, 42);
      bus.publish(new PresenceEvent.ListsChanged(BOB));

      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !got.isEmpty());
      assertThat(got).containsExactly(new PresenceEvent.ListsChanged(BOB));
    } finally {
      vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
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
