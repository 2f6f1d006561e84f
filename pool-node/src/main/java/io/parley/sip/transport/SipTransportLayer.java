package io.parley.sip.transport;

import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.message.Via;
import io.parley.sip.parse.ParseResult;
import io.parley.sip.parse.SipMessageParser;
import io.parley.sip.parse.SipStreamFramer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramPacket;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP, TCP and TLS listeners and outbound connections on Vert.x (public API only). Everything runs
 * on one event-loop context captured in {@link #start()}; public methods hop onto it.
 */
public final class SipTransportLayer implements SipTransport, FlowRegistry {

  private static final Logger LOG = LoggerFactory.getLogger(SipTransportLayer.class);
  private static final Logger CLOSED_LOG = LoggerFactory.getLogger("event.connection-closed");
  private static final Set<String> TLS_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  private static final Buffer CRLF = Buffer.buffer("\r\n");

  /** Bytes queued for a peer that does not read before the connection counts as dead. */
  static final int MAX_WRITE_QUEUE_BYTES = 1024 * 1024;

  /**
   * Open files kept free for everything but SIP connections: JDBC and Hazelcast sockets, the jars
   * on the class path, log files, epoll and pipe descriptors (a standalone node uses ~250).
   */
  static final int FILE_DESCRIPTOR_HEADROOM = 1000;

  /**
   * SO_RCVBUF asked for the UDP socket. One event loop reads the socket and runs every transaction
   * of the node, so while it is busy (a GC pause, a burst of work, the process descheduled on a
   * busy host) datagrams wait in the kernel; Linux's default buffer (208 KiB) holds only ~166 small
   * SIP datagrams on loopback, and a pause of 40-65 ms at 1,000 MESSAGEs/s dropped whole runs of
   * consecutive requests (over UDP without retransmission those calls fail). Linux grants twice
   * this (1 MiB, ~800 datagrams: ~0.2-0.3 s of traffic at those rates). Not more: under sustained
   * overload a deeper queue only makes every request wait until its client has given up (a 4 MiB
   * trial answered none of a step). The kernel caps it at {@code net.core.rmem_max}.
   */
  static final int UDP_RECEIVE_BUFFER_BYTES = 512 * 1024;

  /** SO_SNDBUF of the UDP socket: a burst of answers after a pause must not overflow it. */
  static final int UDP_SEND_BUFFER_BYTES = 1024 * 1024;

  private final Vertx vertx;
  private final SipTransportOptions options;
  private final int maxConnections;
  private final SipMessageParser parser;
  private final AtomicLong ids = new AtomicLong();
  // Concurrent only so FlowRegistry reads from other threads are safe; writes stay on the loop.
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final Map<String, Connection> byRemote = new HashMap<>();
  private final Map<String, Integer> perAddress = new HashMap<>();
  private final Map<String, Future<Flow>> pendingConnects = new HashMap<>();
  private final List<BiConsumer<Flow, CloseReason>> closeListeners = new CopyOnWriteArrayList<>();
  private volatile InboundHandler handler = (m, f) -> {};
  private volatile @Nullable Context context;
  private @Nullable DatagramSocket udp;
  private @Nullable NetServer tcpServer;
  private @Nullable NetServer tlsServer;
  private @Nullable NetClient tcpClient;
  private @Nullable NetClient tlsClient;
  private @Nullable InetSocketAddress udpLocal;
  private long sweeper = -1;
  private volatile int udpPort = -1;
  private volatile int tcpPort = -1;
  private volatile int tlsPort = -1;
  private final OwnAddresses own;

  private SipTransportLayer(Vertx vertx, SipTransportOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.own = OwnAddresses.forListenHost(options.host());
    this.parser = new SipMessageParser(options.limits());
    this.maxConnections = effectiveMaxConnections(options.maxConnections(), maxOpenFiles());
    if (maxConnections < options.maxConnections()) {
      LOG.warn(
          "at most {} SIP connections instead of {}: the process may open only {} files",
          maxConnections,
          options.maxConnections(),
          maxOpenFiles());
    }
    if (options.udpPort() >= 0) {
      int granted = grantedReceiveBuffer();
      if (granted >= 0 && granted < UDP_RECEIVE_BUFFER_BYTES) {
        LOG.warn(
            "UDP receive buffer limited to {} bytes by the kernel (asked {}): bursts may drop"
                + " datagrams; raise it with sysctl -w net.core.rmem_max={}",
            granted,
            UDP_RECEIVE_BUFFER_BYTES,
            UDP_RECEIVE_BUFFER_BYTES);
      }
    }
  }

  /**
   * What the kernel grants a UDP socket asking for {@link #UDP_RECEIVE_BUFFER_BYTES} (Linux caps it
   * at net.core.rmem_max and reports twice the value, its bookkeeping overhead); -1 if unknown.
   */
  private static int grantedReceiveBuffer() {
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
      probe.setReceiveBufferSize(UDP_RECEIVE_BUFFER_BYTES);
      return probe.getReceiveBufferSize();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The connection cap the process can honour: beyond its open-file limit, accept() fails with
   * EMFILE (Netty then spins on the listening socket) and the node can open no database or pool
   * socket either, so the configured cap is lowered to leave {@link #FILE_DESCRIPTOR_HEADROOM}.
   */
  static int effectiveMaxConnections(int configured, long maxOpenFiles) {
    if (maxOpenFiles <= 0) {
      return configured; // unknown (not a Unix JVM)
    }
    long usable = Math.max(1, maxOpenFiles - FILE_DESCRIPTOR_HEADROOM);
    return (int) Math.min(configured, usable);
  }

  private static long maxOpenFiles() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return -1;
  }

  /**
   * The connection cap in force: the configured one, lowered to what the open-file limit allows.
   */
  public int maxConnections() {
    return maxConnections;
  }

  public static SipTransportLayer create(Vertx vertx, SipTransportOptions options) {
    return new SipTransportLayer(vertx, options);
  }

  @Override
  public int maxUdpMessageBytes() {
    return options.maxUdpMessageBytes();
  }

  public SipTransportOptions options() {
    return options;
  }

  /** The event-loop context everything runs on (after start). */
  public Context context() {
    Context c = context;
    if (c == null) {
      throw new IllegalStateException("not started");
    }
    return c;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Binds the enabled listeners. */
  public Future<Void> start() {
    Context c = vertx.getOrCreateContext();
    context = c;
    Promise<Void> done = Promise.promise();
    c.runOnContext(v -> doStart().onComplete(done));
    return done.future();
  }

  private Future<Void> doStart() {
    List<Future<?>> binds = new ArrayList<>();
    if (options.udpPort() >= 0) {
      DatagramSocket socket =
          vertx.createDatagramSocket(
              new DatagramSocketOptions()
                  .setReceiveBufferSize(UDP_RECEIVE_BUFFER_BYTES)
                  .setSendBufferSize(UDP_SEND_BUFFER_BYTES));
      socket.handler(this::onDatagram);
      socket.exceptionHandler(e -> LOG.debug("UDP error: {}", e.toString()));
      binds.add(
          socket
              .listen(options.udpPort(), options.host())
              .recover(
                  e ->
                      Future.failedFuture(
                          BindFailures.named("UDP port", options.host(), options.udpPort(), e)))
              .onSuccess(
                  s -> {
                    udp = s;
                    udpPort = s.localAddress().port();
                    udpLocal = InetSocketAddress.createUnresolved(options.host(), udpPort);
                  }));
    }
    if (options.tcpPort() >= 0) {
      NetServer server = vertx.createNetServer(baseServerOptions(options.tcpPort()));
      server.connectHandler(s -> onAccepted(s, Transport.TCP));
      binds.add(
          server
              .listen()
              .recover(
                  e ->
                      Future.failedFuture(
                          BindFailures.named("TCP port", options.host(), options.tcpPort(), e)))
              .onSuccess(
                  s -> {
                    tcpServer = s;
                    tcpPort = s.actualPort();
                  }));
    }
    if (options.tlsPort() >= 0) {
      PemKeyCertOptions keyCert = options.tlsKeyCert();
      if (keyCert == null) {
        return Future.failedFuture(new IllegalStateException("TLS port set without key/cert"));
      }
      NetServerOptions so =
          baseServerOptions(options.tlsPort())
              .setSsl(true)
              .setSslEngineOptions(handshakesOffTheEventLoop())
              .setKeyCertOptions(keyCert)
              .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
              .setSslHandshakeTimeout(options.tlsHandshakeTimeout().toMillis())
              .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
              .setClientAuth(
                  options.tlsRequireClientAuth() ? ClientAuth.REQUIRED : ClientAuth.NONE);
      if (options.tlsTrust() != null) {
        so.setTrustOptions(options.tlsTrust());
      }
      NetServer server = vertx.createNetServer(so);
      server.connectHandler(s -> onAccepted(s, Transport.TLS));
      binds.add(
          server
              .listen()
              .recover(
                  e ->
                      Future.failedFuture(
                          BindFailures.named("TLS port", options.host(), options.tlsPort(), e)))
              .onSuccess(
                  s -> {
                    tlsServer = s;
                    tlsPort = s.actualPort();
                  }));
    }
    NetClientOptions co =
        new NetClientOptions().setConnectTimeout((int) options.connectTimeout().toMillis());
    tcpClient = vertx.createNetClient(co);
    NetClientOptions tlsCo =
        new NetClientOptions(co)
            .setSsl(true)
            .setSslEngineOptions(handshakesOffTheEventLoop())
            .setHostnameVerificationAlgorithm("HTTPS")
            .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
            .setSslHandshakeTimeout(options.tlsHandshakeTimeout().toMillis())
            .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (options.tlsTrust() != null) {
      tlsCo.setTrustOptions(options.tlsTrust());
    }
    if (options.tlsKeyCert() != null) {
      tlsCo.setKeyCertOptions(options.tlsKeyCert());
    }
    tlsClient = vertx.createNetClient(tlsCo);
    long sweepMs =
        Math.max(
            50,
            Math.min(
                1000,
                Math.min(options.idleTimeout().toMillis(), options.headerReadTimeout().toMillis())
                    / 4));
    sweeper = vertx.setPeriodic(sweepMs, id -> sweep());
    return Future.all(binds)
        .<Void>mapEmpty()
        .onSuccess(
            v ->
                LOG.info(
                    "SIP transport listening on {} udp={} tcp={} tls={}",
                    options.host(),
                    udpPort,
                    tcpPort,
                    tlsPort));
  }

  /**
   * The JDK engine with its delegated tasks (the handshake's key exchange and signature, about a
   * millisecond of CPU each) on Vert.x's worker pool. On the event loop, which also runs every SIP
   * transaction of the node, a burst of new TLS clients stalled it for hundreds of milliseconds,
   * the lag probe fired and the node answered 503 to the very clients that had just connected.
   */
  private static JdkSSLEngineOptions handshakesOffTheEventLoop() {
    return new JdkSSLEngineOptions().setUseWorkerThread(true);
  }

  private NetServerOptions baseServerOptions(int port) {
    return new NetServerOptions().setHost(options.host()).setPort(port).setTcpNoDelay(true);
  }

  /** Closes every flow (SHUTDOWN) and the listeners. */
  public Future<Void> stop() {
    return onContext(
        () -> {
          if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
            sweeper = -1;
          }
          for (Connection c : new ArrayList<>(connections.values())) {
            c.close(CloseReason.SHUTDOWN);
          }
          List<Future<?>> closing = new ArrayList<>();
          if (udp != null) {
            closing.add(udp.close());
          }
          for (NetServer s : new NetServer[] {tcpServer, tlsServer}) {
            if (s != null) {
              closing.add(s.close());
            }
          }
          for (NetClient cl : new NetClient[] {tcpClient, tlsClient}) {
            if (cl != null) {
              closing.add(cl.close());
            }
          }
          return Future.join(closing).mapEmpty();
        });
  }

  public int actualUdpPort() {
    return udpPort;
  }

  public int actualTcpPort() {
    return tcpPort;
  }

  public int actualTlsPort() {
    return tlsPort;
  }

  /** Rotates the TLS certificate (and trust) of the listener without a restart. */
  public Future<Boolean> updateTls(PemKeyCertOptions keyCert, @Nullable PemTrustOptions trust) {
    return onContext(
        () -> {
          NetServer s = tlsServer;
          if (s == null) {
            return Future.failedFuture(
                new SipTransportException(
                    SipTransportException.Kind.NOT_STARTED, "no TLS listener"));
          }
          ServerSSLOptions ssl =
              new ServerSSLOptions()
                  .setKeyCertOptions(keyCert)
                  .setEnabledSecureTransportProtocols(TLS_PROTOCOLS)
                  .setSslHandshakeTimeout(options.tlsHandshakeTimeout().toMillis())
                  .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                  .setClientAuth(
                      options.tlsRequireClientAuth() ? ClientAuth.REQUIRED : ClientAuth.NONE);
          if (trust != null) {
            ssl.setTrustOptions(trust);
          }
          // force: the PEM may be at the same path with new contents (mounted secret).
          return s.updateSSLOptions(ssl, true);
        });
  }

  // ---------------------------------------------------------------- registry

  @Override
  public void inboundHandler(InboundHandler h) {
    this.handler = h;
  }

  @Override
  public FlowRegistry flows() {
    return this;
  }

  @Override
  public @Nullable Flow find(String flowId) {
    Connection c = connections.get(flowId);
    return c == null ? null : c.flow;
  }

  @Override
  public Collection<Flow> openFlows() {
    return connections.values().stream().map(c -> c.flow).toList();
  }

  @Override
  public int openCount() {
    return connections.size();
  }

  @Override
  public void addCloseListener(BiConsumer<Flow, CloseReason> listener) {
    closeListeners.add(listener);
  }

  /** The one close path for connections. */
  public void close(Flow flow, CloseReason reason) {
    onContext(
        () -> {
          Connection c = connections.get(flow.id());
          if (c != null) {
            c.close(reason);
          }
          return Future.succeededFuture();
        });
  }

  @Override
  public String sentByHost(Transport transport) {
    String adv = options.advertisedHost();
    if (adv != null) {
      return adv;
    }
    String h = options.host();
    return h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") ? "127.0.0.1" : h;
  }

  @Override
  public int sentByPort(Transport transport) {
    int p =
        switch (transport) {
          case UDP -> udpPort;
          case TCP -> tcpPort;
          case TLS -> tlsPort;
        };
    if (p > 0) {
      return p;
    }
    return transport == Transport.TLS ? 5061 : 5060;
  }

  // ---------------------------------------------------------------- sending

  @Override
  public Future<Void> send(SipMessage message, Flow flow) {
    return onContext(() -> doSend(message.toBytes(), flow));
  }

  private Future<Void> doSend(byte[] bytes, Flow flow) {
    if (flow.transport() == Transport.UDP) {
      return sendDatagram(bytes, flow.remoteHost(), flow.remotePort());
    }
    Connection c = connections.get(flow.id());
    if (c == null || c.closed) {
      return Future.failedFuture(
          new SipTransportException(
              SipTransportException.Kind.FLOW_CLOSED, "flow " + flow.id() + " is closed"));
    }
    return c.write(Buffer.buffer(bytes));
  }

  private Future<Void> sendDatagram(byte[] bytes, String host, int port) {
    DatagramSocket s = udp;
    if (s == null) {
      return Future.failedFuture(
          new SipTransportException(SipTransportException.Kind.NOT_STARTED, "no UDP listener"));
    }
    if (bytes.length > options.maxUdpMessageBytes()) {
      // RFC 3261 §18.1.1: too big for UDP; the caller switches to TCP or answers 513.
      return Future.failedFuture(
          new SipTransportException(
              SipTransportException.Kind.MESSAGE_TOO_LARGE,
              bytes.length + " bytes exceed the UDP limit of " + options.maxUdpMessageBytes()));
    }
    if (port == udpPort && own.isOwn(host)) {
      return Future.failedFuture(toSelf("UDP", host, port));
    }
    return s.send(Buffer.buffer(bytes), port, host)
        .recover(
            e ->
                Future.failedFuture(
                    new SipTransportException(
                        SipTransportException.Kind.TRANSPORT_ERROR, "UDP send failed", e)));
  }

  @Override
  public Future<Void> sendResponse(SipResponse response, Flow requestFlow) {
    return onContext(
        () -> {
          if (requestFlow.reliable()) {
            Connection c = connections.get(requestFlow.id());
            if (c != null && !c.closed) {
              // TCP/TLS: always the connection the request came in on (SIPE's Via is useless).
              return c.write(Buffer.buffer(response.toBytes()));
            }
          }
          return routeByVia(response);
        });
  }

  @Override
  public Future<Void> sendResponse(SipResponse response) {
    return onContext(() -> routeByVia(response));
  }

  /** RFC 3261 §18.2.2 with RFC 3581: received/rport, else sent-by. */
  private Future<Void> routeByVia(SipResponse response) {
    Via via = response.topVia();
    Transport tp = Transport.fromName(via.transport());
    if (tp == null) {
      return Future.failedFuture(
          new SipTransportException(
              SipTransportException.Kind.TRANSPORT_ERROR,
              "unsupported transport " + via.transport()));
    }
    String received = via.received();
    String host = stripBrackets(received != null ? received : via.host());
    Integer rport = via.rport();
    int port =
        rport != null ? rport : via.port() > 0 ? via.port() : tp == Transport.TLS ? 5061 : 5060;
    if (tp == Transport.UDP) {
      return sendDatagram(response.toBytes(), host, port);
    }
    return doSendTo(response.toBytes(), host, port, tp).mapEmpty();
  }

  @Override
  public Future<Flow> sendTo(SipMessage message, String host, int port, Transport transport) {
    return onContext(() -> doSendTo(message.toBytes(), stripBrackets(host), port, transport));
  }

  private Future<Flow> doSendTo(byte[] bytes, String host, int port, Transport transport) {
    if (transport == Transport.UDP) {
      Flow f = udpFlow(host, port);
      return sendDatagram(bytes, host, port).map(f);
    }
    return doConnect(host, port, transport).compose(f -> doSend(bytes, f).map(f));
  }

  @Override
  public Future<Flow> connect(String host, int port, Transport transport) {
    return onContext(() -> doConnect(stripBrackets(host), port, transport));
  }

  private Future<Flow> doConnect(String host, int port, Transport transport) {
    if (transport == Transport.UDP) {
      return Future.succeededFuture(udpFlow(host, port));
    }
    Connection existing = byRemote.get(remoteKey(transport, host, port));
    if (existing != null && !existing.closed) {
      return Future.succeededFuture(existing.flow);
    }
    if (connections.size() >= maxConnections) {
      return Future.failedFuture(
          new SipTransportException(
              SipTransportException.Kind.CONNECTION_LIMIT, "connection limit reached"));
    }
    NetClient client = transport == Transport.TLS ? tlsClient : tcpClient;
    if (client == null) {
      return Future.failedFuture(
          new SipTransportException(SipTransportException.Kind.NOT_STARTED, "not started"));
    }
    // Messages sent to the same target while connecting share the one connection attempt.
    String target = remoteKey(transport, host, port);
    Future<Flow> pending = pendingConnects.get(target);
    if (pending != null) {
      return pending;
    }
    Future<Flow> attempt = openConnection(client, host, port, transport);
    pendingConnects.put(target, attempt);
    attempt.onComplete(ar -> pendingConnects.remove(target, attempt));
    return attempt;
  }

  private Future<Flow> openConnection(
      NetClient client, String host, int port, Transport transport) {
    return client
        .connect(port, host)
        .recover(
            e ->
                Future.failedFuture(
                    new SipTransportException(
                        SipTransportException.Kind.CONNECT_FAILED,
                        "connect to " + host + ":" + port + " failed: " + describe(e),
                        e)))
        .compose(
            socket -> {
              // Checked on the connected socket, so host names that resolve to us count too.
              SocketAddress remote = socket.remoteAddress();
              int ownPort = transport == Transport.TLS ? tlsPort : tcpPort;
              if (remote.port() == ownPort && own.isOwn(remote.hostAddress())) {
                socket.close();
                return Future.failedFuture(toSelf(transport.name(), host, port));
              }
              return Future.succeededFuture(socket);
            })
        .map(
            socket -> {
              Connection c = register(socket, transport);
              // Also reachable under the name we were asked for.
              byRemote.put(remoteKey(transport, host, port), c);
              c.aliases.add(remoteKey(transport, host, port));
              return c.flow;
            });
  }

  private static SipTransportException toSelf(String transport, String host, int port) {
    return new SipTransportException(
        SipTransportException.Kind.CONNECT_FAILED,
        transport + " target " + host + ":" + port + " is this node's own listener (a loop)");
  }

  private Flow udpFlow(String host, int port) {
    InetSocketAddress local = udpLocal != null ? udpLocal : new InetSocketAddress(0);
    return new Flow(
        options.flowIdPrefix() + "udp-" + host + ":" + port,
        Transport.UDP,
        // Unresolved: no blocking DNS lookup on the event loop (Vert.x resolves when sending).
        InetSocketAddress.createUnresolved(host, port),
        local);
  }

  // ---------------------------------------------------------------- receiving

  private void onDatagram(DatagramPacket packet) {
    try {
      SocketAddress sender = packet.sender();
      String ip = sender.hostAddress();
      Flow flow = udpFlow(ip, sender.port());
      byte[] data = packet.data().getBytes();
      ParseResult result = parser.parseDatagram(data, 0, data.length);
      switch (result) {
        case ParseResult.Parsed p -> deliver(p.message(), flow);
        case ParseResult.Rejected r -> {
          LOG.debug("Rejected datagram from {}: {} {}", flow.id(), r.statusCode(), r.reason());
          byte[] answer = r.errorResponse();
          if (answer != null) {
            sendDatagram(answer, ip, sender.port());
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Error handling datagram", e);
    }
  }

  private void deliver(SipMessage message, Flow flow) {
    SipMessage m = message instanceof SipRequest r ? stampVia(r, flow) : message;
    try {
      handler.onMessage(m, flow);
    } catch (RuntimeException e) {
      LOG.warn("Inbound handler failed on a message from {}", flow.id(), e);
    }
  }

  /**
   * RFC 3261 §18.2.1 and RFC 3581: records the source address in the top Via so responses can find
   * their way back through NAT.
   */
  static SipRequest stampVia(SipRequest request, Flow flow) {
    Via via = request.topVia();
    String ip = flow.remoteHost();
    boolean fillRport = via.hasRport() && via.rport() == null;
    boolean differs = !stripBrackets(via.host()).equalsIgnoreCase(ip);
    if (!fillRport && !differs) {
      return request;
    }
    Via stamped = via.withReceived(ip);
    if (fillRport) {
      stamped = stamped.withRport(flow.remotePort());
    }
    return (SipRequest) ViaHeaders.replaceTop(request, stamped);
  }

  private void onAccepted(NetSocket socket, Transport transport) {
    String ip = socket.remoteAddress().hostAddress();
    if (connections.size() >= maxConnections
        || perAddress.getOrDefault(ip, 0) >= options.maxConnectionsPerAddress()) {
      CLOSED_LOG.info(
          "refused {} connection from {}: {}", transport, ip, CloseReason.CONNECTION_LIMIT);
      socket.close();
      return;
    }
    register(socket, transport);
  }

  private Connection register(NetSocket socket, Transport transport) {
    SocketAddress r = socket.remoteAddress();
    SocketAddress l = socket.localAddress();
    String id =
        options.flowIdPrefix()
            + transport.name().toLowerCase(Locale.ROOT)
            + "-"
            + ids.incrementAndGet();
    Flow flow =
        new Flow(
            id,
            transport,
            new InetSocketAddress(r.hostAddress(), r.port()),
            new InetSocketAddress(l.hostAddress(), l.port()));
    Connection c = new Connection(socket, flow);
    connections.put(id, c);
    String key = remoteKey(transport, flow.remoteHost(), flow.remotePort());
    byRemote.put(key, c);
    c.aliases.add(key);
    perAddress.merge(flow.remoteHost(), 1, Integer::sum);
    LOG.debug("Open {} {} from {}", transport, id, flow.remote());
    return c;
  }

  private void sweep() {
    long now = System.nanoTime();
    long idle = options.idleTimeout().toNanos();
    long headerRead = options.headerReadTimeout().toNanos();
    // No copy of the table (JFR: the copy was the event loop's top frame with 19,000 held
    // connections): the concurrent map's iterator tolerates close() removing entries meanwhile.
    for (Connection c : connections.values()) {
      if (now - c.lastActivity > idle) {
        c.close(CloseReason.IDLE_TIMEOUT);
      } else if (c.partialSince != 0 && now - c.partialSince > headerRead) {
        c.close(CloseReason.HEADER_READ_TIMEOUT);
      }
    }
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
  }

  private static String remoteKey(Transport t, String host, int port) {
    return t.name() + "|" + stripBrackets(host).toLowerCase(Locale.ROOT) + ":" + port;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Context c = context;
    if (c == null) {
      return Future.failedFuture(
          new SipTransportException(SipTransportException.Kind.NOT_STARTED, "not started"));
    }
    if (Vertx.currentContext() == c) {
      return action.get();
    }
    Promise<T> p = Promise.promise();
    c.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }

  /** Per-connection state: the socket, its flow, a framer (buffers only a partial message). */
  private final class Connection implements SipStreamFramer.FramerListener {
    final NetSocket socket;
    final Flow flow;
    final SipStreamFramer framer;
    final List<String> aliases = new ArrayList<>(2);
    long lastActivity = System.nanoTime();
    long partialSince;
    boolean closed;

    Connection(NetSocket socket, Flow flow) {
      this.socket = socket;
      this.flow = flow;
      this.framer = new SipStreamFramer(options.limits(), parser, this);
      socket.setWriteQueueMaxSize(MAX_WRITE_QUEUE_BYTES);
      socket.handler(this::onData);
      socket.closeHandler(v -> close(CloseReason.PEER_CLOSED));
      socket.exceptionHandler(
          e -> {
            LOG.debug("Socket error on {}: {}", flow.id(), e.toString());
            close(CloseReason.TRANSPORT_ERROR);
          });
    }

    private void onData(Buffer buffer) {
      if (closed) {
        return;
      }
      lastActivity = System.nanoTime();
      byte[] bytes = buffer.getBytes();
      try {
        framer.feed(bytes, 0, bytes.length);
      } catch (RuntimeException e) {
        LOG.warn("Framer failed on {}", flow.id(), e);
        close(CloseReason.FRAMING_LOST);
        return;
      }
      if (framer.isIdleBetweenMessages()) {
        partialSince = 0;
      } else if (partialSince == 0) {
        partialSince = lastActivity;
      }
    }

    Future<Void> write(Buffer data) {
      if (socket.writeQueueFull()) {
        // A peer that stops reading must not make us buffer without bound.
        close(CloseReason.WRITE_QUEUE_FULL);
        return Future.failedFuture(
            new SipTransportException(
                SipTransportException.Kind.FLOW_CLOSED, flow.id() + " does not read; closed"));
      }
      lastActivity = System.nanoTime();
      return socket
          .write(data)
          .recover(
              e ->
                  Future.failedFuture(
                      new SipTransportException(
                          SipTransportException.Kind.TRANSPORT_ERROR,
                          "write on " + flow.id() + " failed",
                          e)));
    }

    @Override
    public void onMessage(SipMessage message) {
      if (!closed) {
        deliver(message, flow);
      }
    }

    @Override
    public void onKeepAlivePing() {
      if (!closed) {
        socket.write(CRLF); // RFC 5626 §4.4.1 pong
      }
    }

    @Override
    public void onRejected(ParseResult.Rejected rejected) {
      LOG.debug("Rejected on {}: {} {}", flow.id(), rejected.statusCode(), rejected.reason());
      byte[] answer = rejected.errorResponse();
      if (answer != null && !closed) {
        socket.write(Buffer.buffer(answer));
      }
    }

    @Override
    public void onFramingLost(String reason) {
      LOG.debug("Framing lost on {}: {}", flow.id(), reason);
      close(CloseReason.FRAMING_LOST);
    }

    void close(CloseReason reason) {
      if (closed) {
        return;
      }
      closed = true;
      connections.remove(flow.id());
      for (String alias : aliases) {
        byRemote.remove(alias, this);
      }
      perAddress.computeIfPresent(flow.remoteHost(), (k, n) -> n <= 1 ? null : n - 1);
      if (reason == CloseReason.PEER_CLOSED || reason == CloseReason.SHUTDOWN) {
        CLOSED_LOG.debug("{} {} closed: {}", flow.transport(), flow.id(), reason);
      } else {
        CLOSED_LOG.info(
            "{} {} ({}) closed: {}", flow.transport(), flow.id(), flow.remote(), reason);
      }
      if (reason != CloseReason.PEER_CLOSED) {
        socket.close();
      }
      for (BiConsumer<Flow, CloseReason> l : closeListeners) {
        try {
          l.accept(flow, reason);
        } catch (RuntimeException e) {
          LOG.warn("Close listener failed for {}", flow.id(), e);
        }
      }
    }
  }
}
