package io.parley.presence.pidf;

import io.parley.xml.HardenedXml;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Reads and writes {@code application/pidf+xml}.
 *
 * <p><b>Hostile input.</b> Documents come from the network: they are size-limited before parsing
 * ({@link #MAX_BYTES}), DOCTYPE declarations are refused outright (which rules out external
 * entities, XXE, and entity-expansion bombs such as "billion laughs"), external DTD/schema access
 * is off, and the parser's error handler throws instead of printing. The parsed document is bounded
 * too: at most {@link #MAX_TUPLES} tuples, {@link #MAX_NOTES} notes per element, notes up to {@link
 * #MAX_NOTE_CHARS} characters.
 */
public final class Pidf {

  public static final String CONTENT_TYPE = "application/pidf+xml";
  public static final String NS = "urn:ietf:params:xml:ns:pidf";
  public static final String NS_DM = "urn:ietf:params:xml:ns:pidf:data-model";
  public static final String NS_RPID = "urn:ietf:params:xml:ns:pidf:rpid";

  public static final int MAX_BYTES = 16 * 1024;
  public static final int MAX_TUPLES = 16;
  public static final int MAX_NOTES = 4;
  public static final int MAX_NOTE_CHARS = 512;
  public static final int MAX_ACTIVITIES = 8;

  private static final Pattern ACTIVITY = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  private static final int MAX_URI_CHARS = 400;

  private static final ThreadLocal<DocumentBuilder> BUILDER =
      ThreadLocal.withInitial(HardenedXml::newDocumentBuilder);

  private Pidf() {}

  /** Parses a PIDF document; everything wrong with it is a {@link PidfException}. */
  public static PresenceDocument parse(byte[] xml) throws PidfException {
    if (xml.length > MAX_BYTES) {
      throw new PidfException("document larger than " + MAX_BYTES + " bytes");
    }
    Document dom;
    DocumentBuilder builder = BUILDER.get();
    try {
      dom = builder.parse(new ByteArrayInputStream(xml));
    } catch (SAXException | IOException | RuntimeException e) {
      throw new PidfException("not well-formed XML: " + e.getMessage(), e);
    } finally {
      // reset() also forgets the handlers, so they are set again for the next document.
      builder.reset();
      HardenedXml.restoreHandlers(builder);
    }
    Element root = dom.getDocumentElement();
    if (!is(root, NS, "presence")) {
      throw new PidfException("root element is not PIDF presence");
    }
    String entity = root.getAttribute("entity").strip();
    if (entity.isEmpty() || entity.length() > MAX_URI_CHARS) {
      throw new PidfException("presence entity missing or too long");
    }
    List<Tuple> tuples = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Person person = null;
    for (Element child : children(root)) {
      if (is(child, NS, "tuple")) {
        if (tuples.size() == MAX_TUPLES) {
          throw new PidfException("more than " + MAX_TUPLES + " tuples");
        }
        tuples.add(tuple(child));
      } else if (is(child, NS, "note")) {
        addNote(notes, child);
      } else if (is(child, NS_DM, "person") && person == null) {
        // One person is the common case; a second one (per RFC 4479 allowed) adds nothing here.
        person = person(child);
      }
    }
    return new PresenceDocument(entity, tuples, person, notes);
  }

  private static Tuple tuple(Element e) throws PidfException {
    String id = e.getAttribute("id").strip();
    if (id.isEmpty() || id.length() > 64) {
      throw new PidfException("tuple without a usable id");
    }
    Basic basic = null;
    String contact = null;
    List<String> notes = new ArrayList<>();
    for (Element child : children(e)) {
      if (is(child, NS, "status")) {
        for (Element s : children(child)) {
          if (is(s, NS, "basic")) {
            basic =
                switch (s.getTextContent().strip()) {
                  case "open" -> Basic.OPEN;
                  case "closed" -> Basic.CLOSED;
                  default -> throw new PidfException("basic status is neither open nor closed");
                };
          }
        }
      } else if (is(child, NS, "contact")) {
        String c = child.getTextContent().strip();
        if (c.length() > MAX_URI_CHARS) {
          throw new PidfException("contact too long");
        }
        contact = c.isEmpty() ? null : c;
      } else if (is(child, NS, "note")) {
        addNote(notes, child);
      }
    }
    return new Tuple(id, basic, contact, notes);
  }

  private static Person person(Element e) throws PidfException {
    List<String> activities = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (Element child : children(e)) {
      if (is(child, NS_RPID, "activities")) {
        for (Element a : children(child)) {
          String name = a.getLocalName();
          if (NS_RPID.equals(a.getNamespaceURI())
              && name != null
              && ACTIVITY.matcher(name).matches()
              && !activities.contains(name)) {
            if (activities.size() == MAX_ACTIVITIES) {
              throw new PidfException("more than " + MAX_ACTIVITIES + " activities");
            }
            activities.add(name);
          }
        }
      } else if (is(child, NS_DM, "note")) {
        addNote(notes, child);
      }
    }
    return new Person(activities, notes);
  }

  private static void addNote(List<String> notes, Element e) throws PidfException {
    String text = e.getTextContent().strip();
    if (text.length() > MAX_NOTE_CHARS) {
      throw new PidfException("note longer than " + MAX_NOTE_CHARS + " characters");
    }
    if (notes.size() == MAX_NOTES) {
      throw new PidfException("more than " + MAX_NOTES + " notes in one element");
    }
    if (!text.isEmpty()) {
      notes.add(text);
    }
  }

  private static boolean is(Node n, String ns, String local) {
    return ns.equals(n.getNamespaceURI()) && local.equals(n.getLocalName());
  }

  private static List<Element> children(Element e) {
    List<Element> out = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element el) {
        out.add(el);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ writing

  /** The document as UTF-8 {@code application/pidf+xml}. */
  public static byte[] write(PresenceDocument doc) {
    StringBuilder sb = new StringBuilder(512);
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<presence xmlns=\"")
        .append(NS)
        .append("\" xmlns:dm=\"")
        .append(NS_DM)
        .append("\" xmlns:rpid=\"")
        .append(NS_RPID)
        .append("\" entity=\"")
        .append(escape(doc.entity()))
        .append("\">\n");
    for (Tuple t : doc.tuples()) {
      sb.append(" <tuple id=\"").append(escape(t.id())).append("\">");
      if (t.basic() != null) {
        sb.append("<status><basic>").append(t.basic().xml()).append("</basic></status>");
      } else {
        sb.append("<status/>");
      }
      if (t.contact() != null) {
        sb.append("<contact>").append(escape(t.contact())).append("</contact>");
      }
      notes(sb, "note", t.notes());
      sb.append("</tuple>\n");
    }
    notes(sb, " note", doc.notes());
    Person p = doc.person();
    if (p != null) {
      sb.append(" <dm:person id=\"p\">");
      if (!p.activities().isEmpty()) {
        sb.append("<rpid:activities>");
        for (String a : p.activities()) {
          // Names were checked against ACTIVITY when parsed; re-check what callers built.
          if (ACTIVITY.matcher(a).matches()) {
            sb.append("<rpid:").append(a).append("/>");
          }
        }
        sb.append("</rpid:activities>");
      }
      notes(sb, "dm:note", p.notes());
      sb.append("</dm:person>\n");
    }
    sb.append("</presence>\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void notes(StringBuilder sb, String element, List<String> notes) {
    String name = element.strip();
    for (String n : notes) {
      sb.append(element.startsWith(" ") ? " <" : "<").append(name).append('>');
      sb.append(escape(n)).append("</").append(name).append('>');
      if (element.startsWith(" ")) {
        sb.append('\n');
      }
    }
  }

  /** XML-escapes text and attribute values; drops characters XML 1.0 cannot carry. */
  public static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            if (c == 0xFFFE || c == 0xFFFF) {
              continue;
            }
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
