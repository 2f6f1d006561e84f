package io.parley.cluster;

import io.parley.registrar.Binding;
import java.io.Serial;
import java.io.Serializable;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * {@link Binding} as stored in Hazelcast: the same fields, Java-serializable (records deserialize
 * through their canonical constructor, and every member runs the same jar).
 */
record StoredBinding(
    String aor,
    String contactUri,
    @Nullable String instanceId,
    int regId,
    String flowId,
    String nodeId,
    String transport,
    String remoteHost,
    int remotePort,
    String callId,
    long cseq,
    float q,
    Instant expiresAt,
    Instant registeredAt)
    implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  static StoredBinding of(Binding b) {
    return new StoredBinding(
        b.aor(),
        b.contactUri(),
        b.instanceId(),
        b.regId(),
        b.flowId(),
        b.nodeId(),
        b.transport(),
        b.remoteHost(),
        b.remotePort(),
        b.callId(),
        b.cseq(),
        b.q(),
        b.expiresAt(),
        b.registeredAt());
  }

  Binding toBinding() {
    return new Binding(
        aor,
        contactUri,
        instanceId,
        regId,
        flowId,
        nodeId,
        transport,
        remoteHost,
        remotePort,
        callId,
        cseq,
        q,
        expiresAt,
        registeredAt);
  }

  boolean expired(Instant now) {
    return !expiresAt.isAfter(now);
  }
}
