package io.parley.sip.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** An immutable SIP request. */
public final class SipRequest extends BaseMessage implements SipMessage {
  private final String method;
  private final Uri requestUri;

  SipRequest(Parts p, String method, Uri requestUri) {
    super(p);
    this.method = method;
    this.requestUri = requestUri;
  }

  /** The method token exactly as sent (case-sensitive; "%" is not an escape here). */
  public String method() {
    return method;
  }

  public Uri requestUri() {
    return requestUri;
  }

  public boolean isMethod(String m) {
    return method.equals(m);
  }

  public static Builder builder(String method, Uri uri) {
    return new Builder(method, uri);
  }

  /**
   * This request with {@code via} added above its Via fields (at the top when it has none): the
   * same message as {@code toBuilder().addFirst(HeaderName.VIA, via).build()}. A request our own
   * builder made gets the line spliced into its bytes instead of being rebuilt and parsed again
   * (the transaction layer does this for every request it sends).
   *
   * @throws IllegalArgumentException when {@code via} holds CR or LF or is not a valid Via
   */
  public SipRequest withTopVia(String via) {
    if (!canonical) {
      return rebuiltWithTopVia(via);
    }
    String value = SipMessage.Builder.check(via);
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) >= 0x80) {
        return rebuiltWithTopVia(via); // bytes and text may differ
      }
    }
    List<Via> added = new ArrayList<>(1);
    try {
      for (String e : Lex.splitComma(value)) added.add(Via.parse(e));
    } catch (SipParseException e) {
      // the full build gives the verdict (and its message) for a bad value
      return rebuiltWithTopVia(via);
    }
    int index = headers.indexOf(HeaderName.VIA, 0);
    Parts p = spliced(Math.max(index, 0), HeaderName.VIA, value);
    p.vias.addAll(0, added);
    return new SipRequest(p, method, requestUri);
  }

  private SipRequest rebuiltWithTopVia(String via) {
    return toBuilder().addFirst(HeaderName.VIA, via).build();
  }

  @Override
  public Builder toBuilder() {
    Builder b = new Builder(method, requestUri);
    b.copyFrom(this);
    return b;
  }

  /** Builder for requests; see {@link SipMessage.Builder}. */
  public static final class Builder extends SipMessage.Builder {
    private String method;
    private Uri uri;

    Builder(String method, Uri uri) {
      this.method = checkMethod(method);
      this.uri = Objects.requireNonNull(uri);
    }

    private static String checkMethod(String m) {
      if (!Lex.isToken(m)) throw new IllegalArgumentException("bad method: " + m);
      return m;
    }

    public Builder method(String m) {
      this.method = checkMethod(m);
      return this;
    }

    public Builder requestUri(Uri u) {
      this.uri = Objects.requireNonNull(u);
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
    public SipRequest build() {
      return (SipRequest) buildMessage(method + " " + uri + " SIP/2.0");
    }
  }
}
