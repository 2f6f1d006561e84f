package io.parley.sip.transport;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The transports the stack speaks. */
public enum Transport {
  UDP,
  TCP,
  TLS;

  /** True for connection-oriented transports, where the stack does not retransmit. */
  public boolean reliable() {
    return this != UDP;
  }

  /** The name as written in a Via header. */
  public String viaName() {
    return name();
  }

  /** Parses a Via transport or a {@code ;transport=} value in any case; null when unknown. */
  public static @Nullable Transport fromName(@Nullable String anyCase) {
    if (anyCase == null) {
      return null;
    }
    return switch (anyCase.toUpperCase(Locale.ROOT)) {
      case "UDP" -> UDP;
      case "TCP" -> TCP;
      case "TLS" -> TLS;
      default -> null;
    };
  }
}
