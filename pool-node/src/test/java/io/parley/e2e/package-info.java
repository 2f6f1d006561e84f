/** End-to-end tests: a full node (database, Digest, registrar, proxy) against JAIN-SIP RI UAs. */
@org.jspecify.annotations.NullMarked
package io.parley.e2e;
