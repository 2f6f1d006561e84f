package io.parley.sip.message;

import java.nio.charset.StandardCharsets;

/** Resolves header names straight from wire bytes. */
final class HeaderNames {
  private HeaderNames() {}

  static HeaderName lookup(byte[] b, int s, int e) {
    return HeaderName.of(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
  }
}
