package io.parley.presence;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.presence.pidf.Pidf;
import io.parley.presence.pidf.PresenceDocument;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class RlmiTest {

  private static final String LIST = "sip:alice@example.test;list=buddies";

  /** One body part: its headers (lower-case names) and content. */
  record Part(Map<String, String> headers, String body) {}

  /** Splits a multipart body by the boundary of its Content-Type (RFC 2046 §5.1.1). */
  static List<Part> parts(String contentType, byte[] body) {
    Matcher m = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
    assertThat(m.find()).as("boundary in %s", contentType).isTrue();
    String delimiter = "--" + m.group(1);
    String text = new String(body, StandardCharsets.UTF_8);
    assertThat(text).startsWith(delimiter + "\r\n").endsWith(delimiter + "--\r\n");
    List<Part> parts = new ArrayList<>();
    String[] chunks = text.substring(0, text.length() - 4).split(Pattern.quote(delimiter), -1);
    for (int i = 1; i < chunks.length - 1; i++) {
      String chunk = chunks[i];
      assertThat(chunk).startsWith("\r\n").endsWith("\r\n");
      chunk = chunk.substring(2, chunk.length() - 2);
      int split = chunk.indexOf("\r\n\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line : chunk.substring(0, split).split("\r\n")) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).strip().toLowerCase(), line.substring(colon + 1).strip());
      }
      parts.add(new Part(headers, chunk.substring(split + 4)));
    }
    return parts;
  }

  static Document xml(String s) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static Rlmi.Resource active(String uri, String id) {
    return new Rlmi.Resource(
        uri, id, Rlmi.State.ACTIVE, null, Pidf.write(PresenceDocument.offline(uri)));
  }

  @Test
  void theRootPartIsAnRlmiListWhoseCidsNameTheDocumentParts() throws Exception {
    Rlmi.Multipart m =
        Rlmi.write(
            LIST,
            3,
            true,
            List.of(
                active("sip:bob@example.test", "i-0"),
                new Rlmi.Resource("sip:carol@example.test", "i-1", Rlmi.State.PENDING, null, null),
                new Rlmi.Resource(
                    "sip:gone@example.test", "i-2", Rlmi.State.TERMINATED, "noresource", null),
                active("sip:dave@example.test", "i-3")));

    assertThat(m.contentType()).startsWith("multipart/related;type=\"application/rlmi+xml\"");
    List<Part> parts = parts(m.contentType(), m.body());
    assertThat(parts).hasSize(3);
    Matcher start = Pattern.compile("start=\"(<[^\"]+>)\"").matcher(m.contentType());
    assertThat(start.find()).isTrue();
    Part root = parts.get(0);
    assertThat(root.headers().get("content-id")).isEqualTo(start.group(1));
    assertThat(root.headers().get("content-type")).startsWith(Rlmi.CONTENT_TYPE);

    Element list = xml(root.body()).getDocumentElement();
    assertThat(list.getNamespaceURI()).isEqualTo(Rlmi.NS);
    assertThat(list.getLocalName()).isEqualTo("list");
    assertThat(list.getAttribute("uri")).isEqualTo(LIST);
    assertThat(list.getAttribute("version")).isEqualTo("3");
    assertThat(list.getAttribute("fullState")).isEqualTo("true");

    NodeList resources = list.getElementsByTagNameNS(Rlmi.NS, "resource");
    assertThat(resources.getLength()).isEqualTo(4);
    Map<String, Element> instances = new LinkedHashMap<>();
    for (int i = 0; i < resources.getLength(); i++) {
      Element r = (Element) resources.item(i);
      instances.put(
          r.getAttribute("uri"), (Element) r.getElementsByTagNameNS(Rlmi.NS, "instance").item(0));
    }
    assertThat(instances.get("sip:carol@example.test").getAttribute("state")).isEqualTo("pending");
    assertThat(instances.get("sip:carol@example.test").hasAttribute("cid")).isFalse();
    assertThat(instances.get("sip:gone@example.test").getAttribute("state"))
        .isEqualTo("terminated");
    assertThat(instances.get("sip:gone@example.test").getAttribute("reason"))
        .isEqualTo("noresource");

    // Each active instance's cid is the Content-ID of the part holding that member's PIDF.
    for (String member : List.of("sip:bob@example.test", "sip:dave@example.test")) {
      Element instance = instances.get(member);
      assertThat(instance.getAttribute("state")).isEqualTo("active");
      String cid = "<" + instance.getAttribute("cid") + ">";
      Part part =
          parts.stream()
              .filter(p -> cid.equals(p.headers().get("content-id")))
              .findFirst()
              .orElseThrow();
      assertThat(part.headers().get("content-type")).isEqualTo(Pidf.CONTENT_TYPE);
      PresenceDocument doc = Pidf.parse(part.body().getBytes(StandardCharsets.UTF_8));
      assertThat(doc.entity()).isEqualTo(member);
    }
  }

  @Test
  void aPartialNotifySaysSoAndEscapesUris() throws Exception {
    Rlmi.Multipart m =
        Rlmi.write(
            "sip:a@example.test;list=x\"<&",
            7,
            false,
            List.of(active("sip:bob@example.test", "b")));
    Element list = xml(parts(m.contentType(), m.body()).get(0).body()).getDocumentElement();
    assertThat(list.getAttribute("fullState")).isEqualTo("false");
    assertThat(list.getAttribute("version")).isEqualTo("7");
    assertThat(list.getAttribute("uri")).isEqualTo("sip:a@example.test;list=x\"<&");
  }

  @Test
  void eachBodyHasItsOwnBoundaryAndCids() {
    Rlmi.Multipart a = Rlmi.write(LIST, 0, true, List.of());
    Rlmi.Multipart b = Rlmi.write(LIST, 0, true, List.of());
    assertThat(a.contentType()).isNotEqualTo(b.contentType());
  }
}
