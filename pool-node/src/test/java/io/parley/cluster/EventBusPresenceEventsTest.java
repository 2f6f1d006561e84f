package io.parley.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.presence.PresenceEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
            "L|" + "a".repeat(10_000))) {
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
}
