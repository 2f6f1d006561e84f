package io.parley.sip.transport;

import java.util.Collection;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/** The open connection flows of a transport layer. */
public interface FlowRegistry {

  /** The open TCP/TLS flow with this id, or null (UDP flows are never registered). */
  @Nullable Flow find(String flowId);

  /** A snapshot of the open flows. */
  Collection<Flow> openFlows();

  /** Number of open connections. */
  int openCount();

  /** Called once per closed connection, on the transport's context. */
  void addCloseListener(BiConsumer<Flow, CloseReason> listener);
}
