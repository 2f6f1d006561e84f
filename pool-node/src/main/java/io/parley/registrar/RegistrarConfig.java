package io.parley.registrar;

import java.time.Duration;

/**
 * Registrar limits.
 *
 * @param minExpires shorter non-zero requests get 423 Interval Too Brief (RFC 3261 §10.3 step 7)
 * @param maxExpires longer requests are granted this much
 * @param defaultExpires granted when the request names no expiry
 * @param maxBindingsPerAor devices (contacts) one AOR may hold; more are refused with 403
 * @param keepAliveTimeoutSeconds the {@code timeout} of the {@code ms-keep-alive} answer (SIPE)
 */
public record RegistrarConfig(
    Duration minExpires,
    Duration maxExpires,
    Duration defaultExpires,
    int maxBindingsPerAor,
    int keepAliveTimeoutSeconds) {

  public RegistrarConfig {
    if (minExpires.isNegative()
        || maxExpires.compareTo(minExpires) < 0
        || defaultExpires.compareTo(minExpires) < 0
        || defaultExpires.compareTo(maxExpires) > 0
        || maxBindingsPerAor < 1) {
      throw new IllegalArgumentException(
          "need 0 <= minExpires <= defaultExpires <= maxExpires and maxBindingsPerAor >= 1");
    }
  }

  /** Min 60 s, max 7200 s, default 3600 s, 20 devices per AOR, keep-alive 300 s. */
  public static RegistrarConfig defaults() {
    return new RegistrarConfig(
        Duration.ofSeconds(60), Duration.ofSeconds(7200), Duration.ofSeconds(3600), 20, 300);
  }
}
