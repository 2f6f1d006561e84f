package io.parley.sip.transaction;

import io.parley.sip.transport.Transport;

/** Where to send a request when no flow is known. */
public record Destination(String host, int port, Transport transport) {}
