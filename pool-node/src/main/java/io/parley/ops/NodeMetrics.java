package io.parley.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;

/**
 * The node's {@link PrometheusMeterRegistry}: JVM and process meters ({@code jvm_*}, {@code
 * process_*}, {@code system_*}), Parley gauges fed by suppliers, and the {@link SipMetrics}
 * counters. Every meter carries the tag {@code node=<nodeId>}.
 *
 * <p>Gauge suppliers are read on a worker thread at each scrape: they must be thread-safe, cheap
 * and non-blocking (read a counter or a collection's size; never ask the database or a remote
 * Hazelcast member). Registering a gauge again replaces the earlier supplier, so a component that
 * is rebuilt can simply register itself again.
 *
 * <p>Prometheus names: {@code parley_sip_connections{transport}}, {@code
 * parley_sip_transactions_active}, {@code parley_registrar_bindings}, {@code parley_pool_members}.
 */
public final class NodeMetrics implements AutoCloseable {

  public static final String CONNECTIONS = "parley.sip.connections";
  public static final String TRANSACTIONS_ACTIVE = "parley.sip.transactions.active";
  public static final String BINDINGS = "parley.registrar.bindings";
  public static final String POOL_MEMBERS = "parley.pool.members";

  private static final Pattern TRANSPORT = Pattern.compile("[a-z0-9-]{1,16}");

  private final PrometheusMeterRegistry registry;
  private final SipMetrics sip;
  private final List<AutoCloseable> closeables;

  /**
   * @param nodeId the pool node id, added as tag {@code node} to every meter
   */
  public NodeMetrics(String nodeId) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", nodeId);
    JvmGcMetrics gc = new JvmGcMetrics();
    JvmHeapPressureMetrics heapPressure = new JvmHeapPressureMetrics();
    closeables = List.of(gc, heapPressure);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    heapPressure.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    sip = new SipMetrics(registry);
  }

  /** The registry to scrape (hand it to {@link AdminServer}) and to add further meters to. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Counters for SIP traffic. */
  public SipMetrics sip() {
    return sip;
  }

  /**
   * Open connections of one transport, e.g. {@code tcp}, {@code tls}, {@code ws}, {@code pool} (UDP
   * has none).
   *
   * @throws IllegalArgumentException for a transport name that is not a short lower-case token
   */
  public NodeMetrics connections(String transport, DoubleSupplier open) {
    String t = transport.toLowerCase(Locale.ROOT);
    if (!TRANSPORT.matcher(t).matches()) {
      throw new IllegalArgumentException("transport must match [a-z0-9-]{1,16}: " + transport);
    }
    return gauge(CONNECTIONS, "Open SIP connections, by transport", open, "transport", t);
  }

  /** Client plus server SIP transactions currently held by this node. */
  public NodeMetrics transactionsActive(DoubleSupplier active) {
    return gauge(TRANSACTIONS_ACTIVE, "SIP transactions in flight on this node", active);
  }

  /** Registered contact bindings whose flow ends on this node. */
  public NodeMetrics registeredBindings(DoubleSupplier bindings) {
    return gauge(BINDINGS, "Registered bindings held by this node", bindings);
  }

  /** Live members of the pool as this node sees them (itself included). */
  public NodeMetrics poolMembers(DoubleSupplier members) {
    return gauge(POOL_MEMBERS, "Live pool members seen by this node", members);
  }

  private NodeMetrics gauge(
      String name, String description, DoubleSupplier supplier, String... tags) {
    Meter existing = registry.find(name).tags(tags).gauge();
    if (existing != null) {
      registry.remove(existing);
    }
    Gauge.builder(name, supplier::getAsDouble)
        .description(description)
        .tags(tags)
        .strongReference(true)
        .register(registry);
    return this;
  }

  /** Text exposition of every meter, as {@code GET /metrics} serves it. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing binders only unregisters JMX listeners; nothing to recover.
      }
    }
    registry.close();
  }
}
