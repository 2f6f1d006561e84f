package io.parley.auth;

/** Outcome of parsing an authorization header value; never an exception. */
public sealed interface DigestParseResult {

  /** A well-formed Digest credential we can verify. */
  record Parsed(DigestCredentials credentials) implements DigestParseResult {}

  /** Another scheme (NTLM, Basic, ...) or an empty value: answer with a challenge. */
  record NotDigest() implements DigestParseResult {}

  /** A Digest value that is malformed or asks for something we do not support. */
  record Malformed(String reason) implements DigestParseResult {}
}
