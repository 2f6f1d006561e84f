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
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Helpers for node ITs: a stub router and Digest computed by hand (RFC 7616), not by our code. */
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

  static String param(String challenge, String name) {
    Matcher m = Pattern.compile(name + "=\"?([^\",]*)\"?").matcher(challenge);
    if (!m.find()) {
      throw new AssertionError(name + " missing in " + challenge);
    }
    return m.group(1);
  }

  /** The Authorization value for a challenge (MD5 or SHA-256 as it says), qop=auth. */
  static String authorization(
      String challenge, String user, String password, String method, String uri, String nc) {
    String alg = challenge.contains("algorithm=SHA-256") ? "SHA-256" : "MD5";
    String realm = param(challenge, "realm");
    String nonce = param(challenge, "nonce");
    String opaque = param(challenge, "opaque");
    String cnonce = "0a4f113b";
    String ha1 = hash(alg, user + ":" + realm + ":" + password);
    String ha2 = hash(alg, method + ":" + uri);
    String response = hash(alg, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    return "Digest username=\""
        + user
        + "\", realm=\""
        + realm
        + "\", nonce=\""
        + nonce
        + "\", uri=\""
        + uri
        + "\", response=\""
        + response
        + "\", algorithm="
        + alg
        + ", qop=auth, nc="
        + nc
        + ", cnonce=\""
        + cnonce
        + "\", opaque=\""
        + opaque
        + "\"";
  }

  static String hash(String alg, String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance(alg).digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
