package io.parley.node;

import io.parley.app.RequestRouter;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transaction.ServerTransaction;
import io.parley.sip.transport.Flow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Helpers for node ITs: a stub router and reading raw SIP messages from a stream. */
final class NodeTestSupport {

  private NodeTestSupport() {}

  /** Answers every routed request with 200 "Routed" and the AOR it was given in a header. */
  static RequestRouter stubRouter() {
    return new RequestRouter() {
      @Override
      public void onRequest(
          ServerTransaction tx, SipRequest request, Flow flow, @Nullable String aor) {
        tx.respond(SipResponse.forRequest(request, 200, "Routed").toTag("stub").build());
      }

      @Override
      public void onAck2xx(SipRequest ack, Flow flow) {}

      @Override
      public void onCancel(
          ServerTransaction cancelTx, SipRequest cancel, ServerTransaction invite) {}
    };
  }

  /** Reads one SIP message (headers + Content-Length body) from a stream. */
  static String readMessage(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + buf);
      }
      buf.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (b == '\r' ? 1 : 0);
    }
    String head = buf.toString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?im)^Content-Length:\\s*(\\d+)").matcher(head);
    int len = m.find() ? Integer.parseInt(m.group(1)) : 0;
    return head + new String(in.readNBytes(len), StandardCharsets.UTF_8);
  }

  /** First value of a header in a raw message, or null. */
  static @Nullable String header(String message, String name) {
    Matcher m =
        Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$").matcher(message);
    return m.find() ? m.group(1) : null;
  }

  static int status(String response) {
    return Integer.parseInt(response.substring(8, 11));
  }
}
