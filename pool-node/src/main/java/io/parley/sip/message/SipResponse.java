package io.parley.sip.message;

import org.jspecify.annotations.Nullable;

/** An immutable SIP response. */
public final class SipResponse extends BaseMessage implements SipMessage {
  private final int statusCode;
  private final String reasonPhrase;

  SipResponse(Parts p, int statusCode, String reasonPhrase) {
    super(p);
    this.statusCode = statusCode;
    this.reasonPhrase = reasonPhrase;
  }

  public int statusCode() {
    return statusCode;
  }

  /** The reason phrase as sent (may be empty). */
  public String reasonPhrase() {
    return reasonPhrase;
  }

  public static Builder builder(int status, String reason) {
    return new Builder(status, reason);
  }

  /**
   * A response to {@code req} per RFC 3261 §8.2.6: all Via values, From, To, Call-ID and CSeq
   * copied, Content-Length 0. Add a To tag with {@link Builder#toTag(String)}.
   */
  public static Builder forRequest(SipRequest req, int status, String reason) {
    Builder b = new Builder(status, reason);
    Headers h = req.headers();
    for (int i = 0; i < h.size(); i++) {
      if (h.name(i).equals(HeaderName.VIA)) b.add(HeaderName.VIA, h.value(i));
    }
    // a received request always has these; one built without them fails here, loudly
    b.add(HeaderName.FROM, raw(h, HeaderName.FROM));
    b.add(HeaderName.TO, raw(h, HeaderName.TO));
    b.add(HeaderName.CALL_ID, req.callId());
    b.add(HeaderName.CSEQ, req.cseq().toString());
    b.add(HeaderName.CONTENT_LENGTH, "0");
    return b;
  }

  private static String raw(Headers h, HeaderName n) {
    String v = h.first(n);
    if (v == null) throw new IllegalStateException("request has no " + n.display());
    return v;
  }

  @Override
  public Builder toBuilder() {
    Builder b = new Builder(statusCode, reasonPhrase);
    b.copyFrom(this);
    return b;
  }

  /** Builder for responses; see {@link SipMessage.Builder}. */
  public static final class Builder extends SipMessage.Builder {
    private int status;
    private String reason;

    Builder(int status, String reason) {
      this.status = status;
      this.reason = reason;
      status(status, reason);
    }

    public Builder status(int status, String reason) {
      if (status < 100 || status > 699) throw new IllegalArgumentException("bad status " + status);
      if (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("CR/LF in reason phrase");
      }
      this.status = status;
      this.reason = reason;
      return this;
    }

    @Override
    public Builder addFirst(HeaderName name, String value) {
      super.addFirst(name, value);
      return this;
    }

    @Override
    public Builder add(HeaderName name, String value) {
      super.add(name, value);
      return this;
    }

    @Override
    public Builder set(HeaderName name, String value) {
      super.set(name, value);
      return this;
    }

    @Override
    public Builder remove(HeaderName name) {
      super.remove(name);
      return this;
    }

    @Override
    public Builder removeFirst(HeaderName name) {
      super.removeFirst(name);
      return this;
    }

    @Override
    public Builder body(@Nullable String contentType, byte[] body) {
      super.body(contentType, body);
      return this;
    }

    @Override
    public Builder toTag(String tag) {
      super.toTag(tag);
      return this;
    }

    @Override
    public SipResponse build() {
      return (SipResponse) buildMessage("SIP/2.0 " + status + " " + reason);
    }
  }
}
