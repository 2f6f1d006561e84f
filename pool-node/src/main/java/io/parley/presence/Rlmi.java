package io.parley.presence;

import io.parley.presence.pidf.Pidf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes the body of a resource-list NOTIFY (RFC 4662 §5): {@code multipart/related} whose root
 * part is the RLMI document ({@code application/rlmi+xml}) and whose other parts are the members'
 * {@code application/pidf+xml} documents, each referenced from its {@code <instance cid=...>}.
 */
public final class Rlmi {

  public static final String CONTENT_TYPE = "application/rlmi+xml";
  public static final String NS = "urn:ietf:params:xml:ns:rlmi";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Rlmi() {}

  /** The state of one member's instance (RFC 4662 §5.2). */
  public enum State {
    ACTIVE,
    PENDING,
    TERMINATED
  }

  /**
   * One member in a NOTIFY.
   *
   * @param uri the member's URI
   * @param instanceId stable for the member within one list subscription
   * @param state its subscription state
   * @param reason with {@link State#TERMINATED}: why (e.g. {@code noresource}), else null
   * @param pidf the member's document (only for active instances; null: no body part)
   */
  public record Resource(
      String uri,
      String instanceId,
      State state,
      @Nullable String reason,
      byte @Nullable [] pidf) {}

  /** The NOTIFY body and its Content-Type header value. */
  public record Multipart(String contentType, byte[] body) {}

  /** The multipart/related body for version {@code version} of list {@code listUri}. */
  public static Multipart write(
      String listUri, long version, boolean fullState, List<Resource> resources) {
    String token = newToken();
    String boundary = "parley-rls-" + token;
    String rootCid = "rlmi-" + token + "@parley";
    StringBuilder rlmi = new StringBuilder(256 + 160 * resources.size());
    rlmi.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<list xmlns=\"")
        .append(NS)
        .append("\" uri=\"")
        .append(Pidf.escape(listUri))
        .append("\" version=\"")
        .append(version)
        .append("\" fullState=\"")
        .append(fullState)
        .append("\">\n");
    ByteArrayOutputStream parts = new ByteArrayOutputStream();
    int n = 0;
    for (Resource r : resources) {
      rlmi.append(" <resource uri=\"")
          .append(Pidf.escape(r.uri()))
          .append("\">\n  <instance id=\"")
          .append(Pidf.escape(r.instanceId()))
          .append("\" state=\"")
          .append(r.state().name().toLowerCase(java.util.Locale.ROOT))
          .append('"');
      if (r.state() == State.TERMINATED && r.reason() != null) {
        rlmi.append(" reason=\"").append(Pidf.escape(r.reason())).append('"');
      }
      if (r.state() == State.ACTIVE && r.pidf() != null) {
        String cid = "p" + (n++) + "-" + token + "@parley";
        rlmi.append(" cid=\"").append(cid).append('"');
        part(parts, boundary, cid, Pidf.CONTENT_TYPE, r.pidf());
      }
      rlmi.append("/>\n </resource>\n");
    }
    rlmi.append("</list>\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    part(
        out,
        boundary,
        rootCid,
        CONTENT_TYPE + ";charset=\"UTF-8\"",
        rlmi.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(parts.toByteArray());
    out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    String type =
        "multipart/related;type=\""
            + CONTENT_TYPE
            + "\";start=\"<"
            + rootCid
            + ">\";boundary=\""
            + boundary
            + "\"";
    return new Multipart(type, out.toByteArray());
  }

  private static void part(
      ByteArrayOutputStream out, String boundary, String cid, String type, byte[] body) {
    String head =
        "--"
            + boundary
            + "\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <"
            + cid
            + ">\r\nContent-Type: "
            + type
            + "\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(body);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static String newToken() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
