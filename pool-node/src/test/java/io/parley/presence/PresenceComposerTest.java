package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.presence.pidf.Basic;
import io.parley.presence.pidf.Person;
import io.parley.presence.pidf.PresenceDocument;
import io.parley.presence.pidf.Tuple;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PresenceComposerTest {

  private static final String BOB = "sip:bob@example.test";
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  private static Publication pub(
      String etag, Basic basic, List<String> activities, String note, int secondsAfterT0) {
    PresenceDocument doc =
        new PresenceDocument(
            BOB,
            List.of(new Tuple("t", basic, null, List.of())),
            new Person(activities, List.of(note)),
            List.of());
    Instant at = T0.plusSeconds(secondsAfterT0);
    return new Publication(BOB, etag, doc, at.plusSeconds(3600), at);
  }

  @Test
  void withoutPublicationsTheRegistrationDecides() {
    assertThat(PresenceComposer.compose(BOB, List.of(), true).tuples())
        .extracting(Tuple::basic)
        .containsExactly(Basic.OPEN);
    assertThat(PresenceComposer.compose(BOB, List.of(), false).tuples())
        .extracting(Tuple::basic)
        .containsExactly(Basic.CLOSED);
  }

  @Test
  void theMostAvailableDeviceWinsWhateverTheOrder() {
    Publication phoneBusy = pub("a", Basic.OPEN, List.of("on-the-phone"), "on a call", 10);
    Publication laptopAway = pub("b", Basic.OPEN, List.of("away"), "gone", 20);
    Publication desktopOpen = pub("c", Basic.OPEN, List.of(), "here", 0);
    Publication tabletClosed = pub("d", Basic.CLOSED, List.of(), "off", 30);
    for (List<Publication> order :
        List.of(
            List.of(phoneBusy, laptopAway, desktopOpen, tabletClosed),
            List.of(tabletClosed, desktopOpen, laptopAway, phoneBusy))) {
      PresenceDocument view = PresenceComposer.compose(BOB, order, false);
      assertThat(view.person().notes()).containsExactly("here");
      assertThat(view.tuples()).hasSize(4);
      assertThat(view.tuples().get(0).basic()).isEqualTo(Basic.OPEN);
      assertThat(view.tuples()).extracting(Tuple::id).doesNotHaveDuplicates();
    }
    assertThat(
            PresenceComposer.compose(BOB, List.of(laptopAway, phoneBusy, tabletClosed), false)
                .person()
                .notes())
        .containsExactly("on a call");
  }

  @Test
  void amongEquallyAvailableDevicesTheLatestPublicationWins() {
    Publication older = pub("a", Basic.OPEN, List.of("busy"), "older", 0);
    Publication newer = pub("b", Basic.OPEN, List.of("meeting"), "newer", 5);
    assertThat(PresenceComposer.compose(BOB, List.of(newer, older), false).person().notes())
        .containsExactly("newer");
    assertThat(PresenceComposer.compose(BOB, List.of(older, newer), false).person().notes())
        .containsExactly("newer");
  }

  @Test
  void anExplicitClosedPublicationBeatsTheRegistration() {
    Publication invisible = pub("a", Basic.CLOSED, List.of(), "appear offline", 0);
    PresenceDocument view = PresenceComposer.compose(BOB, List.of(invisible), true);
    assertThat(view.anyOpen()).isFalse();
    assertThat(view.entity()).isEqualTo(BOB);
  }

  @Test
  void ranksFollowTheDocumentedOrder() {
    assertThat(PresenceComposer.rank(pub("a", Basic.CLOSED, List.of(), "", 0).document())).isZero();
    assertThat(PresenceComposer.rank(pub("a", Basic.OPEN, List.of("vacation"), "", 0).document()))
        .isEqualTo(1);
    assertThat(PresenceComposer.rank(pub("a", Basic.OPEN, List.of("meeting"), "", 0).document()))
        .isEqualTo(2);
    assertThat(PresenceComposer.rank(pub("a", Basic.OPEN, List.of("unknown"), "", 0).document()))
        .isEqualTo(3);
  }
}
