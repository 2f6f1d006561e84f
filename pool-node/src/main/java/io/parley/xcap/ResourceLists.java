package io.parley.xcap;

import io.parley.db.contacts.ContactEntry;
import io.parley.db.contacts.ContactGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * The RFC 4826 {@code resource-lists} document ↔ a user's stored contact list: each top-level
 * {@code <list name>} is a group, each of its {@code <entry uri>} a contact, {@code <display-name>}
 * their names.
 *
 * <p>Stored and served: list names, list and entry display names, entry URIs, order. Refused with
 * 409 (Parley's contact list is one level of groups): nested lists, {@code external}, {@code
 * entry-ref}, lists without a name, over-long values, more than {@link #MAX_GROUPS} groups or
 * {@link #MAX_ENTRIES} entries. Dropped: elements and attributes of other namespaces (extensions)
 * and {@code xml:lang}.
 */
public final class ResourceLists {

  public static final String NS = "urn:ietf:params:xml:ns:resource-lists";
  public static final String CONTENT_TYPE = "application/resource-lists+xml";
  static final int MAX_GROUPS = 1_000;
  static final int MAX_ENTRIES = 10_000;
  static final int MAX_NAME = 256;
  static final int MAX_URI = 400;

  private ResourceLists() {}

  /** Parses a whole document. */
  public static List<ContactGroup> parse(byte[] body) {
    Document doc = Xml.parse(body);
    Element root = doc.getDocumentElement();
    if (!Xml.is(root, NS, "resource-lists")) {
      throw XcapException.schema("the root element is not resource-lists in " + NS);
    }
    List<ContactGroup> groups = new ArrayList<>();
    Set<String> names = new HashSet<>();
    int entries = 0;
    for (Element child : Xml.children(root)) {
      if (!NS.equals(child.getNamespaceURI())) {
        continue;
      }
      if (!"list".equals(child.getLocalName())) {
        throw XcapException.schema("unexpected element " + child.getLocalName());
      }
      ContactGroup g = parseList(child);
      if (!names.add(g.name())) {
        throw XcapException.uniqueness("resource-lists/list/@name", g.name());
      }
      entries += g.entries().size();
      groups.add(g);
    }
    if (groups.size() > MAX_GROUPS || entries > MAX_ENTRIES) {
      throw XcapException.constraint(
          "at most " + MAX_GROUPS + " lists and " + MAX_ENTRIES + " entries");
    }
    return List.copyOf(groups);
  }

  /** Parses one {@code <list>} element body (node selector PUT). */
  public static ContactGroup parseListElement(byte[] body) {
    Element e = Xml.parseElement(body, "resource-lists", NS);
    if (!Xml.is(e, NS, "list")) {
      throw XcapException.cannotInsert("the body is not a list element");
    }
    return parseList(e);
  }

  /** Parses one {@code <entry>} element body (node selector PUT). */
  public static ContactEntry parseEntryElement(byte[] body) {
    Element e = Xml.parseElement(body, "list", NS);
    if (!Xml.is(e, NS, "entry")) {
      throw XcapException.cannotInsert("the body is not an entry element");
    }
    return parseEntry(e);
  }

  private static ContactGroup parseList(Element list) {
    String name = Xml.attribute(list, "name");
    if (name == null || name.isEmpty()) {
      throw XcapException.constraint("every list needs a name");
    }
    checkLength("list name", name, MAX_NAME);
    String displayName = null;
    List<ContactEntry> entries = new ArrayList<>();
    Set<String> uris = new HashSet<>();
    for (Element child : Xml.children(list)) {
      if (!NS.equals(child.getNamespaceURI())) {
        continue;
      }
      switch (child.getLocalName()) {
        case "display-name" -> {
          if (displayName != null || !entries.isEmpty()) {
            throw XcapException.schema("display-name comes once, first");
          }
          displayName = displayName(child);
        }
        case "entry" -> {
          ContactEntry e = parseEntry(child);
          if (!uris.add(e.uri())) {
            throw XcapException.uniqueness("resource-lists/list/entry/@uri", e.uri());
          }
          entries.add(e);
        }
        case "list" -> throw XcapException.constraint("nested lists are not supported");
        case "external", "entry-ref" ->
            throw XcapException.constraint(child.getLocalName() + " is not supported");
        default -> throw XcapException.schema("unexpected element " + child.getLocalName());
      }
      if (entries.size() > MAX_ENTRIES) {
        throw XcapException.constraint("at most " + MAX_ENTRIES + " entries");
      }
    }
    return new ContactGroup(name, displayName, entries);
  }

  private static ContactEntry parseEntry(Element entry) {
    String uri = Xml.attribute(entry, "uri");
    if (uri == null || uri.isBlank()) {
      throw XcapException.schema("every entry needs a uri");
    }
    checkLength("entry uri", uri, MAX_URI);
    if (uri.chars().anyMatch(c -> c <= ' ')) {
      throw XcapException.schema("an entry uri has no white space");
    }
    String displayName = null;
    for (Element child : Xml.children(entry)) {
      if (!NS.equals(child.getNamespaceURI())) {
        continue;
      }
      if (!"display-name".equals(child.getLocalName()) || displayName != null) {
        throw XcapException.schema("an entry holds at most one display-name");
      }
      displayName = displayName(child);
    }
    return new ContactEntry(uri, displayName);
  }

  private static String displayName(Element e) {
    if (!Xml.children(e).isEmpty()) {
      throw XcapException.schema("display-name is text only");
    }
    String text = e.getTextContent();
    checkLength("display-name", text, MAX_NAME);
    return text;
  }

  private static void checkLength(String what, String value, int max) {
    if (value.length() > max) {
      throw XcapException.constraint(what + " longer than " + max + " characters");
    }
  }

  // ------------------------------------------------------------------ serialization

  /** The document for {@code groups}, UTF-8. */
  public static byte[] serialize(List<ContactGroup> groups) {
    StringBuilder b = new StringBuilder(256);
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<resource-lists xmlns=\"")
        .append(NS)
        .append("\">\n");
    for (ContactGroup g : groups) {
      appendList(b, g, "  ", false);
    }
    b.append("</resource-lists>\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One {@code <list>} element (node selector GET), namespace declared on it. */
  public static byte[] serializeList(ContactGroup g) {
    StringBuilder b = new StringBuilder(128);
    appendList(b, g, "", true);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One {@code <entry>} element (node selector GET), namespace declared on it. */
  public static byte[] serializeEntry(ContactEntry e) {
    StringBuilder b = new StringBuilder(64);
    appendEntry(b, e, "", true);
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendList(StringBuilder b, ContactGroup g, String indent, boolean xmlns) {
    b.append(indent).append("<list");
    if (xmlns) {
      b.append(" xmlns=\"").append(NS).append('"');
    }
    b.append(" name=\"").append(Xml.escape(g.name())).append("\">\n");
    appendDisplayName(b, g.displayName(), indent + "  ");
    for (ContactEntry e : g.entries()) {
      appendEntry(b, e, indent + "  ", false);
    }
    b.append(indent).append("</list>\n");
  }

  private static void appendEntry(StringBuilder b, ContactEntry e, String indent, boolean xmlns) {
    b.append(indent).append("<entry");
    if (xmlns) {
      b.append(" xmlns=\"").append(NS).append('"');
    }
    b.append(" uri=\"").append(Xml.escape(e.uri())).append('"');
    if (e.displayName() == null) {
      b.append("/>\n");
      return;
    }
    b.append(">\n");
    appendDisplayName(b, e.displayName(), indent + "  ");
    b.append(indent).append("</entry>\n");
  }

  private static void appendDisplayName(StringBuilder b, @Nullable String name, String indent) {
    if (name != null) {
      b.append(indent)
          .append("<display-name>")
          .append(Xml.escape(name))
          .append("</display-name>\n");
    }
  }
}
