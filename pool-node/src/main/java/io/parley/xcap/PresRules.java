package io.parley.xcap;

import io.parley.db.presence.PresenceAction;
import io.parley.registrar.Aors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The RFC 5025 {@code pres-rules} document (a RFC 4745 common-policy {@code ruleset}) ↔ the
 * presentity's rows in {@code presence_rules}: one action per watcher.
 *
 * <p>A rule must name its watchers with {@code <identity><one id="..."/></identity>}; {@code many},
 * {@code except}, {@code sphere}, {@code validity} and rules without conditions (which would apply
 * to everybody) cannot be stored per watcher and are refused with 409 {@code constraint-failure}.
 * {@code <sub-handling>} maps {@code allow} → allow, {@code confirm} → pending, {@code
 * polite-block} and {@code block} → block (Parley's block is always polite: the watcher sees the
 * presentity offline); a rule without sub-handling means {@code block} (RFC 5025 §3.2.1). A watcher
 * named by several rules gets the most permissive value (RFC 4745 §10.2: block &lt; confirm &lt;
 * polite-block &lt; allow). Transformations are ignored: an allowed watcher sees the whole composed
 * document.
 *
 * <p>Served back in canonical form: one rule per action ({@code pres_allow}, {@code pres_confirm},
 * {@code pres_block}), watchers sorted.
 */
public final class PresRules {

  public static final String CP = "urn:ietf:params:xml:ns:common-policy";
  public static final String PR = "urn:ietf:params:xml:ns:pres-rules";
  public static final String CONTENT_TYPE = "application/auth-policy+xml";
  static final int MAX_WATCHERS = 10_000;
  static final int MAX_URI = 400;

  private PresRules() {}

  /** Parses a whole document into watcher (canonical AOR) → action, sorted by watcher. */
  public static Map<String, PresenceAction> parse(byte[] body) {
    Document doc = Xml.parse(body);
    Element root = doc.getDocumentElement();
    if (!Xml.is(root, CP, "ruleset")) {
      throw XcapException.schema("the root element is not ruleset in " + CP);
    }
    Map<String, Integer> strongest = new TreeMap<>();
    Set<String> ids = new HashSet<>();
    for (Element rule : Xml.children(root)) {
      if (!CP.equals(rule.getNamespaceURI())) {
        continue;
      }
      if (!"rule".equals(rule.getLocalName())) {
        throw XcapException.schema("unexpected element " + rule.getLocalName());
      }
      String id = Xml.attribute(rule, "id");
      if (id == null || id.isEmpty()) {
        throw XcapException.schema("every rule needs an id");
      }
      if (!ids.add(id)) {
        throw XcapException.uniqueness("ruleset/rule/@id", id);
      }
      List<String> watchers = null;
      int value = 0;
      for (Element part : Xml.children(rule)) {
        if (!CP.equals(part.getNamespaceURI())) {
          continue;
        }
        switch (part.getLocalName()) {
          case "conditions" -> watchers = conditions(part);
          case "actions" -> value = subHandling(part);
          case "transformations" -> {}
          default -> throw XcapException.schema("unexpected element " + part.getLocalName());
        }
      }
      if (watchers == null || watchers.isEmpty()) {
        throw XcapException.constraint(
            "rule "
                + id
                + ": name its watchers with identity/one (rules for everybody are not"
                + " stored)");
      }
      for (String w : watchers) {
        strongest.merge(w, value, Math::max);
      }
      if (strongest.size() > MAX_WATCHERS) {
        throw XcapException.constraint("at most " + MAX_WATCHERS + " watchers");
      }
    }
    Map<String, PresenceAction> out = new TreeMap<>();
    strongest.forEach((w, v) -> out.put(w, action(v)));
    return out;
  }

  private static List<String> conditions(Element conditions) {
    List<String> watchers = new ArrayList<>();
    for (Element c : Xml.children(conditions)) {
      if (!Xml.is(c, CP, "identity")) {
        throw XcapException.constraint(
            "only identity conditions are supported, not " + c.getLocalName());
      }
      for (Element one : Xml.children(c)) {
        if (!Xml.is(one, CP, "one")) {
          throw XcapException.constraint(
              "only identity/one is supported, not " + one.getLocalName());
        }
        String id = Xml.attribute(one, "id");
        if (id == null || id.isBlank() || id.length() > MAX_URI) {
          throw XcapException.schema("identity/one needs an id of 1.." + MAX_URI + " characters");
        }
        if (!Xml.children(one).isEmpty()) {
          throw XcapException.constraint("identity/one with children is not supported");
        }
        watchers.add(Aors.canonical(id.strip()));
      }
    }
    return watchers;
  }

  /** The RFC 5025 §3.2.1 value of the rule's sub-handling (block = 0 when absent). */
  private static int subHandling(Element actions) {
    int value = 0;
    for (Element a : Xml.children(actions)) {
      if (Xml.is(a, PR, "sub-handling")) {
        value =
            switch (a.getTextContent().strip().toLowerCase(Locale.ROOT)) {
              case "block" -> 0;
              case "confirm" -> 10;
              case "polite-block" -> 20;
              case "allow" -> 30;
              default -> throw XcapException.schema("unknown sub-handling " + a.getTextContent());
            };
      }
    }
    return value;
  }

  private static PresenceAction action(int value) {
    return switch (value) {
      case 30 -> PresenceAction.ALLOW;
      case 10 -> PresenceAction.PENDING;
      default -> PresenceAction.BLOCK;
    };
  }

  // ------------------------------------------------------------------ serialization

  /** The canonical document for {@code rules}, UTF-8. */
  public static byte[] serialize(Map<String, PresenceAction> rules) {
    StringBuilder b = new StringBuilder(512);
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<cr:ruleset xmlns:cr=\"")
        .append(CP)
        .append("\" xmlns:pr=\"")
        .append(PR)
        .append("\">\n");
    appendRule(b, rules, PresenceAction.ALLOW, "pres_allow", "allow");
    appendRule(b, rules, PresenceAction.PENDING, "pres_confirm", "confirm");
    appendRule(b, rules, PresenceAction.BLOCK, "pres_block", "polite-block");
    b.append("</cr:ruleset>\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendRule(
      StringBuilder b,
      Map<String, PresenceAction> rules,
      PresenceAction action,
      String id,
      String subHandling) {
    List<String> watchers =
        new TreeMap<>(rules)
            .entrySet().stream()
                .filter(e -> e.getValue() == action)
                .map(Map.Entry::getKey)
                .toList();
    if (watchers.isEmpty()) {
      return;
    }
    b.append("  <cr:rule id=\"").append(id).append("\">\n");
    b.append("    <cr:conditions>\n      <cr:identity>\n");
    for (String w : watchers) {
      b.append("        <cr:one id=\"").append(Xml.escape(w)).append("\"/>\n");
    }
    b.append("      </cr:identity>\n    </cr:conditions>\n");
    b.append("    <cr:actions>\n      <pr:sub-handling>")
        .append(subHandling)
        .append("</pr:sub-handling>\n    </cr:actions>\n");
    if (action == PresenceAction.ALLOW) {
      // What an allowed watcher really gets: the whole composed document.
      b.append("    <cr:transformations>\n")
          .append("      <pr:provide-services><pr:all-services/></pr:provide-services>\n")
          .append("      <pr:provide-persons><pr:all-persons/></pr:provide-persons>\n")
          .append("      <pr:provide-devices><pr:all-devices/></pr:provide-devices>\n")
          .append("      <pr:provide-all-attributes/>\n")
          .append("    </cr:transformations>\n");
    } else {
      b.append("    <cr:transformations/>\n");
    }
    b.append("  </cr:rule>\n");
  }
}
