package io.parley.presence.pidf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PidfTest {

  private static final String RPID_DOC =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <presence xmlns="urn:ietf:params:xml:ns:pidf"
          xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
          xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"
          xmlns:x="urn:example:unknown"
          entity="pres:bob@example.test">
        <tuple id="pc">
          <status><basic>open</basic></status>
          <contact priority="0.8">sip:bob@192.0.2.1</contact>
          <note xml:lang="en">at my desk</note>
          <x:mood>ignored</x:mood>
        </tuple>
        <note>document note</note>
        <dm:person id="p1">
          <rpid:activities><rpid:on-the-phone/><rpid:busy/></rpid:activities>
          <dm:note>In a call &amp; busy</dm:note>
        </dm:person>
      </presence>
      """;

  private static PresenceDocument parse(String xml) throws PidfException {
    return Pidf.parse(xml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void parsesTuplesNotesAndRpidActivities() throws Exception {
    PresenceDocument doc = parse(RPID_DOC);
    assertThat(doc.entity()).isEqualTo("pres:bob@example.test");
    assertThat(doc.tuples())
        .containsExactly(new Tuple("pc", Basic.OPEN, "sip:bob@192.0.2.1", List.of("at my desk")));
    assertThat(doc.notes()).containsExactly("document note");
    assertThat(doc.person())
        .isEqualTo(new Person(List.of("on-the-phone", "busy"), List.of("In a call & busy")));
  }

  @Test
  void writtenDocumentsParseBackToTheSameValue() throws Exception {
    PresenceDocument doc = parse(RPID_DOC);
    String xml = new String(Pidf.write(doc), StandardCharsets.UTF_8);
    assertThat(xml).contains("<rpid:on-the-phone/>").contains("In a call &amp; busy");
    assertThat(Pidf.parse(Pidf.write(doc))).isEqualTo(doc);
  }

  @Test
  void aBasicStatusOtherThanOpenOrClosedIsRefused() {
    assertThatThrownBy(
            () ->
                parse(
                    "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>"
                        + "<tuple id='t'><status><basic>maybe</basic></status></tuple>"
                        + "</presence>"))
        .isInstanceOf(PidfException.class);
  }

  @Test
  void aDocumentThatIsNotPidfIsRefused() {
    assertThatThrownBy(() -> parse("<presence entity='sip:a@b'/>"))
        .isInstanceOf(PidfException.class)
        .hasMessageContaining("not PIDF");
    assertThatThrownBy(() -> parse("<presence xmlns='urn:ietf:params:xml:ns:pidf'/>"))
        .isInstanceOf(PidfException.class)
        .hasMessageContaining("entity");
    assertThatThrownBy(() -> parse("<presence xmlns='urn:ietf:params:xml:ns:pidf'"))
        .isInstanceOf(PidfException.class)
        .hasMessageContaining("not well-formed");
  }

  @Test
  void externalEntitiesAreNeverResolved() {
    String xxe =
        """
        <?xml version="1.0"?>
        <!DOCTYPE presence [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">
          <note>&x;</note>
        </presence>
        """;
    assertThatThrownBy(() -> parse(xxe)).isInstanceOf(PidfException.class);
  }

  @Test
  void entityExpansionBombsAreRefused() {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE presence [<!ENTITY a0 \"lol\">");
    for (int i = 1; i < 10; i++) {
      String ref = ("&a" + (i - 1) + ";").repeat(10);
      dtd.append("<!ENTITY a").append(i).append(" \"").append(ref).append("\">");
    }
    dtd.append("]>");
    String bomb =
        dtd
            + "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>"
            + "<note>&a9;</note></presence>";
    assertThatThrownBy(() -> parse(bomb)).isInstanceOf(PidfException.class);
  }

  @Test
  void oversizedDocumentsAndTooManyTuplesAreRefused() {
    byte[] big = new byte[Pidf.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    assertThatThrownBy(() -> Pidf.parse(big)).hasMessageContaining("larger than");
    String tuples = "<tuple id='t%d'><status><basic>open</basic></status></tuple>".repeat(1);
    StringBuilder sb =
        new StringBuilder("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'>");
    for (int i = 0; i <= Pidf.MAX_TUPLES; i++) {
      sb.append(tuples.formatted(i));
    }
    sb.append("</presence>");
    assertThatThrownBy(() -> parse(sb.toString())).hasMessageContaining("tuples");
  }

  @Test
  void writingEscapesMarkupInNotesAndEntity() throws Exception {
    PresenceDocument doc =
        new PresenceDocument(
            "sip:a@b.test",
            List.of(new Tuple("t", Basic.CLOSED, null, List.of("</note><evil/>"))),
            new Person(List.of("away", "<bad>"), List.of("\"quoted\" & 'apos'")),
            List.of());
    PresenceDocument back = Pidf.parse(Pidf.write(doc));
    assertThat(back.tuples().get(0).notes()).containsExactly("</note><evil/>");
    // An activity name that is not an XML name is dropped, not injected.
    assertThat(back.person())
        .isEqualTo(new Person(List.of("away"), List.of("\"quoted\" & 'apos'")));
  }
}
