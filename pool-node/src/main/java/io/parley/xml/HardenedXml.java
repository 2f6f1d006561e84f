package io.parley.xml;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.xml.sax.EntityResolver;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * The JDK DOM parser set up for documents from the network (PIDF bodies, XCAP documents): no
 * DOCTYPE at all (so no external entities and no entity-expansion bombs), no external DTD or schema
 * access, secure-processing limits, at most {@link #MAX_DEPTH} levels of nesting, and every parse
 * error thrown rather than reported.
 */
public final class HardenedXml {

  /** Deepest element nesting accepted (PIDF, resource-lists, pres-rules need a handful). */
  public static final int MAX_DEPTH = 64;

  private static final String MAX_ELEMENT_DEPTH =
      "http://www.oracle.com/xml/jaxp/properties/maxElementDepth";

  private static final ErrorHandler THROWING =
      new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXException {
          throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXException {
          throw e;
        }
      };

  private static final EntityResolver NO_ENTITIES =
      (publicId, systemId) -> {
        throw new SAXException("external entities are not allowed");
      };

  private HardenedXml() {}

  /** A namespace-aware builder with the protections above. */
  public static DocumentBuilder newDocumentBuilder() {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    try {
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      // JDK 24+ limits nesting to 100 by default, JDK 21 not at all: there, a 1 MiB XCAP body
      // nested 50,000 deep would be built into a DOM in full before any check of ours.
      f.setAttribute(MAX_ELEMENT_DEPTH, Integer.toString(MAX_DEPTH));
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      restoreHandlers(b);
      return b;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK XML parser lacks a required security feature", e);
    }
  }

  /**
   * Sets the error handler and entity resolver again ({@link DocumentBuilder#reset} drops them).
   */
  public static void restoreHandlers(DocumentBuilder b) {
    b.setErrorHandler(THROWING);
    b.setEntityResolver(NO_ENTITIES);
  }
}
