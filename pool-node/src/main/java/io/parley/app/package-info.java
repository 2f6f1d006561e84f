/** The SIP application: per-request checks, authentication, connection identity and dispatch. */
@org.jspecify.annotations.NullMarked
package io.parley.app;
