package io.parley.presence.pidf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class PidfRoundTripProperties {

  @Property(tries = 100)
  void everyWrittenDocumentParsesBackUnchanged(@ForAll("documents") PresenceDocument doc)
      throws Exception {
    assertThat(Pidf.parse(Pidf.write(doc))).isEqualTo(doc);
  }

  @Provide
  Arbitrary<PresenceDocument> documents() {
    // Notes as the parser keeps them: stripped, non-empty, printable (any script).
    Arbitrary<String> note =
        Arbitraries.strings()
            .withCharRange(' ', '\uD7FF')
            .ofMinLength(1)
            .ofMaxLength(40)
            .map(String::strip)
            .filter(s -> !s.isEmpty());
    Arbitrary<List<String>> notes = note.list().ofMaxSize(Pidf.MAX_NOTES);
    Arbitrary<Basic> basic = Arbitraries.of(Basic.OPEN, Basic.CLOSED).injectNull(0.2);
    Arbitrary<String> contact =
        Arbitraries.strings()
            .alpha()
            .ofMinLength(1)
            .ofMaxLength(10)
            .map(s -> "sip:" + s + "@x")
            .injectNull(0.5);
    Arbitrary<Tuple> tuple =
        Combinators.combine(Arbitraries.integers().between(0, 1000), basic, contact, notes)
            .as((id, b, c, n) -> new Tuple("t" + id, b, c, n));
    Arbitrary<List<Tuple>> tuples =
        tuple.list().ofMaxSize(Pidf.MAX_TUPLES).uniqueElements(Tuple::id);
    Arbitrary<Person> person =
        Combinators.combine(
                Arbitraries.of("away", "busy", "on-the-phone", "meeting", "vacation", "unknown")
                    .list()
                    .uniqueElements()
                    .ofMaxSize(4),
                notes)
            .as(Person::new)
            .injectNull(0.3);
    return Combinators.combine(tuples, person, notes)
        .as((t, p, n) -> new PresenceDocument("sip:bob@example.test", t, p, n));
  }
}
