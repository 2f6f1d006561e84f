/** Immutable SIP message model (RFC 3261): requests, responses, URIs and routing headers. */
@org.jspecify.annotations.NullMarked
package io.parley.sip.message;
