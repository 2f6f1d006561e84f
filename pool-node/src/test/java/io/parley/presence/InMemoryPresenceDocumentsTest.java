package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.presence.pidf.PresenceDocument;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryPresenceDocumentsTest {

  private static final String BOB = "sip:bob@example.test";
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private final InMemoryPresenceDocuments docs = new InMemoryPresenceDocuments();
  private final PresenceDocument doc = PresenceDocument.offline(BOB);

  private PublishOutcome apply(PublicationChange c) {
    return docs.apply(BOB, c).result();
  }

  @Test
  void refreshModifyAndRemoveNeedTheCurrentEtag() {
    assertThat(apply(new PublicationChange.Create("e1", doc, T0.plusSeconds(60), T0, 4)))
        .isInstanceOf(PublishOutcome.Applied.class);
    assertThat(apply(new PublicationChange.Refresh("nope", "e2", T0.plusSeconds(60), T0)))
        .isInstanceOf(PublishOutcome.UnknownEtag.class);
    assertThat(apply(new PublicationChange.Refresh("e1", "e2", T0.plusSeconds(90), T0)))
        .isEqualTo(
            new PublishOutcome.Applied(
                new Publication(BOB, "e2", doc, T0.plusSeconds(90), T0), false));
    // The old ETag is gone once refreshed (RFC 3903 §4: each response carries a new one).
    assertThat(apply(new PublicationChange.Remove("e1", T0)))
        .isInstanceOf(PublishOutcome.UnknownEtag.class);
    assertThat(apply(new PublicationChange.Remove("e2", T0)))
        .isEqualTo(new PublishOutcome.Applied(null, true));
    assertThat(docs.current(BOB, T0).result()).isEmpty();
  }

  @Test
  void expiredPublicationsDisappearAndArePurgedOnce() {
    apply(new PublicationChange.Create("e1", doc, T0.plusSeconds(60), T0, 4));
    apply(new PublicationChange.Create("e2", doc, T0.plusSeconds(120), T0, 4));
    assertThat(docs.current(BOB, T0.plusSeconds(61)).result())
        .extracting(Publication::etag)
        .containsExactly("e2");
    assertThat(docs.purgeExpired(T0.plusSeconds(61)).result()).containsExactly(BOB);
    assertThat(docs.purgeExpired(T0.plusSeconds(62)).result()).isEmpty();
    // Modifying an expired publication fails like an unknown one.
    assertThat(apply(new PublicationChange.Modify("e2", "e3", doc, T0, T0.plusSeconds(121))))
        .isInstanceOf(PublishOutcome.UnknownEtag.class);
  }

  @Test
  void aPresentityHoldsAtMostTheConfiguredNumberOfPublications() {
    apply(new PublicationChange.Create("e1", doc, T0.plusSeconds(60), T0, 2));
    apply(new PublicationChange.Create("e2", doc, T0.plusSeconds(60), T0, 2));
    assertThat(apply(new PublicationChange.Create("e3", doc, T0.plusSeconds(60), T0, 2)))
        .isInstanceOf(PublishOutcome.TooManyPublications.class);
  }
}
