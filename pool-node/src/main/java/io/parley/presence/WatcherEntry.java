package io.parley.presence;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One {@code presence} subscription as the presentity's watcher info shows it (RFC 3857 §3.3).
 *
 * @param presentity canonical AOR of the watched user
 * @param id the subscription's id, unique in the pool (node id + local id)
 * @param watcher canonical AOR of the subscriber
 * @param displayName the subscriber's display name from From, or null
 * @param status {@code pending}, {@code active} or {@code terminated}
 * @param event the RFC 3857 event that led to the status ({@code subscribe}, {@code approved},
 *     {@code rejected}...)
 * @param nodeId the node holding the subscription (its watcher's flow)
 * @param expiresAt when the subscription lapses unless refreshed
 */
public record WatcherEntry(
    String presentity,
    String id,
    String watcher,
    @Nullable String displayName,
    String status,
    String event,
    String nodeId,
    Instant expiresAt)
    implements java.io.Serializable {}
