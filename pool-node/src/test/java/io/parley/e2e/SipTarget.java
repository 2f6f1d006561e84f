package io.parley.e2e;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Where a {@link SipUa} sends: a node's listener ports and the TLS stores its clients use. */
interface SipTarget {

  /** The node's port for {@code udp}, {@code tcp} or {@code tls}. */
  int port(String transport);

  /** PKCS#12 key store for the client side of TLS, or null without TLS. */
  @Nullable Path keyStore();

  /** PKCS#12 trust store with the node's CA, or null without TLS. */
  @Nullable Path trustStore();
}
