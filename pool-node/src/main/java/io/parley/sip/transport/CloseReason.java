package io.parley.sip.transport;

/** Why a connection was closed; logged on the one close path. */
public enum CloseReason {
  PEER_CLOSED,
  IDLE_TIMEOUT,
  HEADER_READ_TIMEOUT,
  TLS_HANDSHAKE_TIMEOUT,
  FRAMING_LOST,
  CONNECTION_LIMIT,
  TRANSPORT_ERROR,
  SHUTDOWN,
  REQUESTED,
  /** The peer stopped reading and our write queue filled up. */
  WRITE_QUEUE_FULL
}
