package io.parley.presence;

import io.parley.presence.pidf.Pidf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes {@code application/watcherinfo+xml} (RFC 3858), always as full state. */
public final class WatcherInfo {

  public static final String CONTENT_TYPE = "application/watcherinfo+xml";
  public static final String NS = "urn:ietf:params:xml:ns:watcherinfo";

  private WatcherInfo() {}

  /** The document for {@code presentity}'s watchers of package {@code presence}. */
  public static byte[] write(String presentity, long version, List<WatcherEntry> watchers) {
    StringBuilder sb = new StringBuilder(256 + 160 * watchers.size());
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<watcherinfo xmlns=\"")
        .append(NS)
        .append("\" version=\"")
        .append(version)
        .append("\" state=\"full\">\n")
        .append(" <watcher-list resource=\"")
        .append(Pidf.escape(presentity))
        .append("\" package=\"presence\">\n");
    for (WatcherEntry w : watchers) {
      sb.append("  <watcher id=\"")
          .append(Pidf.escape(w.id()))
          .append("\" status=\"")
          .append(w.status())
          .append("\" event=\"")
          .append(w.event())
          .append('"');
      if (w.displayName() != null) {
        sb.append(" display-name=\"").append(Pidf.escape(w.displayName())).append('"');
      }
      sb.append('>').append(Pidf.escape(w.watcher())).append("</watcher>\n");
    }
    sb.append(" </watcher-list>\n</watcherinfo>\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
