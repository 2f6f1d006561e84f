package io.parley.xcap;

import io.parley.xml.HardenedXml;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Hardened XML parsing for documents from the network and small DOM/escaping helpers. DOCTYPE
 * declarations are refused outright (no XXE, no entity expansion bombs), external DTD and schema
 * access is off, and secure processing limits apply. The size limit is the HTTP layer's.
 */
final class Xml {

  private Xml() {}

  /**
   * Parses a document.
   *
   * @throws XcapException 409 {@code not-well-formed} for anything the parser refuses
   */
  static Document parse(byte[] body) {
    try {
      return HardenedXml.newDocumentBuilder().parse(new ByteArrayInputStream(body));
    } catch (SAXException | IOException e) {
      throw XcapException.notWellFormed(String.valueOf(e.getMessage()));
    }
  }

  /**
   * Parses an XCAP element body (RFC 4825 §8.2.1: one element, no XML declaration) with {@code
   * defaultNamespace} in scope, as it would be inside the document.
   *
   * @throws XcapException 409 {@code not-xml-frag} unless the body is exactly one element
   */
  static Element parseElement(byte[] body, String rootName, String defaultNamespace) {
    String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
    if (text.stripLeading().startsWith("<?") || text.contains("<!")) {
      throw XcapException.notXmlFragment("an element body has no declarations");
    }
    String wrapped =
        "<"
            + rootName
            + " xmlns=\""
            + escape(defaultNamespace)
            + "\">"
            + text
            + "</"
            + rootName
            + ">";
    Document doc;
    try {
      doc = HardenedXml.newDocumentBuilder().parse(new InputSource(new StringReader(wrapped)));
    } catch (SAXException | IOException e) {
      throw XcapException.notXmlFragment(String.valueOf(e.getMessage()));
    }
    List<Element> elements = children(doc.getDocumentElement());
    boolean onlyWhitespace = true;
    for (Node n = doc.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.TEXT_NODE && !n.getNodeValue().isBlank()) {
        onlyWhitespace = false;
      }
    }
    if (elements.size() != 1 || !onlyWhitespace) {
      throw XcapException.notXmlFragment("the body must be exactly one element");
    }
    return elements.get(0);
  }

  /** The element children of {@code parent}, in order. */
  static List<Element> children(Element parent) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }

  /** Whether {@code e} is {@code namespace}:{@code localName}. */
  static boolean is(Element e, String namespace, String localName) {
    return namespace.equals(e.getNamespaceURI()) && localName.equals(e.getLocalName());
  }

  /** The attribute's value, or null when absent (DOM returns "" for both). */
  static @Nullable String attribute(Element e, String name) {
    return e.hasAttribute(name) ? e.getAttribute(name) : null;
  }

  /** Escapes text for an XML attribute value or element content. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        case '\t', '\n', '\r' -> b.append("&#").append((int) c).append(';');
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
