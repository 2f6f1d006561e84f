package io.parley.xcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A request path under the XCAP root (RFC 4825 §6): {@code /xcap/<auid>/users/<xui>/<document>} or
 * {@code /xcap/<auid>/global/<document>}, optionally followed by {@code /~~/<node selector>}.
 * Segments are percent-decoded (a XUI such as {@code sip:alice@example.com} may come encoded).
 *
 * @param auid the application usage
 * @param xui the user's XUI for the users tree, null for the global tree
 * @param document the document name (Parley serves {@code index})
 * @param selector the node selector, null for the whole document
 */
record XcapPath(
    String auid, @Nullable String xui, String document, @Nullable NodeSelector selector) {

  static final String ROOT = "/xcap/";

  /** The parts of a node selector that Parley understands (resource-lists only). */
  sealed interface NodeSelector {
    /** {@code resource-lists/list[@name="..."]}. */
    record ListByName(String name) implements NodeSelector {}

    /** {@code resource-lists/list[@name="..."]/entry[@uri="..."]}. */
    record EntryByUri(String listName, String uri) implements NodeSelector {}
  }

  private static final String VALUE = "(?:\"([^\"]*)\"|'([^']*)')";
  private static final Pattern SELECTOR =
      Pattern.compile(
          "resource-lists/list\\[@name=" + VALUE + "\\](?:/entry\\[@uri=" + VALUE + "\\])?");

  /**
   * Parses the raw (still encoded) request path.
   *
   * @throws XcapException 404 outside the tree, 400 for bad encoding or a node selector Parley does
   *     not understand
   */
  static XcapPath parse(String rawPath) {
    if (!rawPath.startsWith(ROOT)) {
      throw XcapException.status(404, "not under " + ROOT);
    }
    String rest = rawPath.substring(ROOT.length());
    String selectorText = null;
    int sep = rest.indexOf("/~~/");
    if (sep >= 0) {
      selectorText = decode(rest.substring(sep + 4));
      rest = rest.substring(0, sep);
    }
    String[] parts = rest.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = decode(parts[i]);
    }
    String auid;
    String xui;
    String document;
    if (parts.length == 3 && parts[1].equals("global")) {
      auid = parts[0];
      xui = null;
      document = parts[2];
    } else if (parts.length == 4 && parts[1].equals("users")) {
      auid = parts[0];
      xui = parts[2];
      document = parts[3];
    } else {
      throw XcapException.status(404, "not an XCAP document URI");
    }
    if (auid.isEmpty() || document.isEmpty() || (xui != null && xui.isEmpty())) {
      throw XcapException.status(404, "not an XCAP document URI");
    }
    return new XcapPath(auid, xui, document, selectorText == null ? null : selector(selectorText));
  }

  private static NodeSelector selector(String text) {
    Matcher m = SELECTOR.matcher(text);
    if (!m.matches()) {
      throw XcapException.status(
          400,
          "unsupported node selector (supported: resource-lists/list[@name=\"..\"] and"
              + " .../entry[@uri=\"..\"])");
    }
    String name = m.group(1) != null ? m.group(1) : m.group(2);
    if (m.group(3) == null && m.group(4) == null) {
      return new NodeSelector.ListByName(name);
    }
    return new NodeSelector.EntryByUri(name, m.group(3) != null ? m.group(3) : m.group(4));
  }

  /** Percent-decoding of a path segment (no '+' → space: that is form encoding). */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          throw XcapException.status(400, "bad percent-encoding");
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw XcapException.status(400, "bad percent-encoding");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(out.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw XcapException.status(400, "percent-encoding is not UTF-8");
    }
  }
}
