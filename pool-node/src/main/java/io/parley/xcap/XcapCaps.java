package io.parley.xcap;

import java.nio.charset.StandardCharsets;

/** The {@code xcap-caps} global document (RFC 4825 §12): what this server supports. */
final class XcapCaps {

  static final String AUID = "xcap-caps";
  static final String NS = "urn:ietf:params:xml:ns:xcap-caps";
  static final String CONTENT_TYPE = "application/xcap-caps+xml";

  static final byte[] DOCUMENT =
      ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              + "<xcap-caps xmlns=\""
              + NS
              + "\">\n"
              + "  <auids>\n"
              + "    <auid>"
              + AUID
              + "</auid>\n"
              + "    <auid>resource-lists</auid>\n"
              + "    <auid>pres-rules</auid>\n"
              + "  </auids>\n"
              + "  <extensions/>\n"
              + "  <namespaces>\n"
              + "    <namespace>"
              + NS
              + "</namespace>\n"
              + "    <namespace>urn:ietf:params:xml:ns:xcap-error</namespace>\n"
              + "    <namespace>"
              + ResourceLists.NS
              + "</namespace>\n"
              + "    <namespace>"
              + PresRules.CP
              + "</namespace>\n"
              + "    <namespace>"
              + PresRules.PR
              + "</namespace>\n"
              + "  </namespaces>\n"
              + "</xcap-caps>\n")
          .getBytes(StandardCharsets.UTF_8);

  private XcapCaps() {}
}
