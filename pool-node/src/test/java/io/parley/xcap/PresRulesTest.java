package io.parley.xcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parley.db.presence.PresenceAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PresRulesTest {

  private static Map<String, PresenceAction> parse(String xml) {
    return PresRules.parse(xml.getBytes(StandardCharsets.UTF_8));
  }

  private static String rule(String id, String subHandling, String... watchers) {
    StringBuilder b = new StringBuilder("<cp:rule id=\"" + id + "\"><cp:conditions><cp:identity>");
    for (String w : watchers) {
      b.append("<cp:one id=\"").append(w).append("\"/>");
    }
    b.append("</cp:identity></cp:conditions><cp:actions>");
    if (subHandling != null) {
      b.append("<pr:sub-handling>").append(subHandling).append("</pr:sub-handling>");
    }
    return b.append("</cp:actions><cp:transformations/></cp:rule>").toString();
  }

  private static String ruleset(String... rules) {
    return "<cp:ruleset xmlns:cp=\"urn:ietf:params:xml:ns:common-policy\""
        + " xmlns:pr=\"urn:ietf:params:xml:ns:pres-rules\">"
        + String.join("", rules)
        + "</cp:ruleset>";
  }

  @Test
  void subHandlingValuesMapToTheStoredActions() {
    assertThat(
            parse(
                ruleset(
                    rule("a", "allow", "sip:Ann@Example.com"),
                    rule("b", "block", "sip:bob@example.com"),
                    rule("c", "polite-block", "sip:cy@example.com"),
                    rule("d", "confirm", "sip:dan@other.test"),
                    rule("e", null, "sip:eve@example.com"))))
        .containsExactly(
            Map.entry("sip:ann@example.com", PresenceAction.ALLOW),
            Map.entry("sip:bob@example.com", PresenceAction.BLOCK),
            Map.entry("sip:cy@example.com", PresenceAction.BLOCK),
            Map.entry("sip:dan@other.test", PresenceAction.PENDING),
            Map.entry("sip:eve@example.com", PresenceAction.BLOCK));
  }

  @Test
  void aWatcherInSeveralRulesGetsTheMostPermissiveOne() {
    assertThat(
            parse(
                ruleset(
                    rule("x", "allow", "sip:a@b.test"),
                    rule("y", "block", "sip:a@b.test", "sip:c@b.test"),
                    rule("z", "confirm", "sip:c@b.test"))))
        .containsExactly(
            Map.entry("sip:a@b.test", PresenceAction.ALLOW),
            Map.entry("sip:c@b.test", PresenceAction.PENDING));
  }

  @Test
  void theCanonicalDocumentParsesBackToTheSameRules() {
    Map<String, PresenceAction> rules =
        Map.of(
            "sip:a@b.test", PresenceAction.ALLOW,
            "sip:c@b.test", PresenceAction.PENDING,
            "sip:d&e@b.test", PresenceAction.BLOCK);
    assertThat(PresRules.parse(PresRules.serialize(rules))).isEqualTo(rules);
    assertThat(PresRules.parse(PresRules.serialize(Map.of()))).isEmpty();
  }

  @Test
  void rulesThatAreNotPerWatcherAreRefused() {
    XcapException many =
        catchThrowableOfType(
            XcapException.class,
            () ->
                parse(
                    ruleset(
                        "<cp:rule id=\"m\"><cp:conditions><cp:identity><cp:many"
                            + " domain=\"example.com\"/></cp:identity></cp:conditions></cp:rule>")));
    assertThat(many.status()).isEqualTo(409);
    assertThat(many.xcapError()).contains("constraint-failure");

    XcapException everybody =
        catchThrowableOfType(
            XcapException.class,
            () -> parse(ruleset("<cp:rule id=\"all\"><cp:actions/></cp:rule>")));
    assertThat(everybody.xcapError()).contains("constraint-failure");
  }

  @Test
  void badDocumentsAreConflictsNamingTheCause() {
    assertThat(catchThrowableOfType(XcapException.class, () -> parse("<ruleset/>")).xcapError())
        .contains("<schema-validation-error/>");
    assertThat(
            catchThrowableOfType(
                    XcapException.class,
                    () ->
                        parse(
                            ruleset(rule("a", "allow", "sip:x@y"), rule("a", "block", "sip:z@y"))))
                .xcapError())
        .contains("<uniqueness-failure>");
    assertThat(
            catchThrowableOfType(
                    XcapException.class, () -> parse(ruleset(rule("a", "maybe", "sip:x@y"))))
                .xcapError())
        .contains("<schema-validation-error/>");
    assertThat(catchThrowableOfType(XcapException.class, () -> parse("<a><b></a>")).xcapError())
        .contains("<not-well-formed/>");
  }
}
