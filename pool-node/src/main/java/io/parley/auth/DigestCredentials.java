package io.parley.auth;

import org.jspecify.annotations.Nullable;

/**
 * The parameters of a {@code Digest} {@code Authorization}/{@code Proxy-Authorization} value.
 *
 * @param username as sent; a SIPE {@code DOMAIN\\user} keeps its backslash
 * @param uri the digest-uri as sent: may be anything, e.g. SIPE's literal {@code (null)}
 * @param response lower-cased hex
 * @param qop {@code auth}, or null for the RFC 2069 form
 * @param nc the nonce count exactly as sent (it enters the hash verbatim), null iff qop is null
 * @param nonceCount {@code nc} as a number, or -1 when {@code qop} is absent
 * @param cnonce present iff {@code qop} is present
 */
public record DigestCredentials(
    String username,
    String realm,
    String nonce,
    String uri,
    String response,
    DigestAlgorithm algorithm,
    @Nullable String qop,
    @Nullable String nc,
    long nonceCount,
    @Nullable String cnonce,
    @Nullable String opaque) {}
