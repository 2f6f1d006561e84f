package io.parley.sip.parse;

/**
 * Size limits enforced while reading, before anything beyond them is buffered.
 *
 * <p>Defaults ({@link #defaults()}) and why:
 *
 * <ul>
 *   <li>start line 8 KiB: Request-URIs of real clients are well under 1 KiB; RFC 4475 longreq stays
 *       far below.
 *   <li>header block 64 KiB: Kerberos/NTLM Authorization headers of the Microsoft dialect can carry
 *       tokens of 10+ KiB base64.
 *   <li>128 header fields: typical messages have 10–30; longreq's 34 Via values fit in fewer lines.
 *   <li>body 256 KiB: roaming-contacts and presence documents of the Microsoft dialect with large
 *       buddy lists run to a few hundred KiB; IM bodies are tiny.
 * </ul>
 *
 * A stream connection therefore buffers at most {@code maxHeaderBlockBytes + maxBodyBytes}.
 */
public record SipLimits(
    int maxStartLineBytes, int maxHeaderBlockBytes, int maxHeaders, int maxBodyBytes) {

  public SipLimits {
    if (maxStartLineBytes < 16
        || maxHeaderBlockBytes < maxStartLineBytes
        || maxHeaders < 1
        || maxBodyBytes < 0) {
      throw new IllegalArgumentException("inconsistent SIP limits");
    }
  }

  public static SipLimits defaults() {
    return new SipLimits(8 * 1024, 64 * 1024, 128, 256 * 1024);
  }
}
