package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

  private final NodeMetrics metrics = new NodeMetrics("node-2");

  @AfterEach
  void close() {
    metrics.close();
  }

  @Test
  void gaugesReadTheirSupplierAtScrapeTime() {
    int[] bindings = {4};
    metrics.registeredBindings(() -> bindings[0]).transactionsActive(() -> 11);
    bindings[0] = 5;

    assertThat(metrics.scrape())
        .contains("parley_registrar_bindings{node=\"node-2\"} 5.0")
        .contains("parley_sip_transactions_active{node=\"node-2\"} 11.0");
  }

  @Test
  void registeringAGaugeAgainReplacesItsSupplier() {
    metrics.connections("TLS", () -> 1).connections("tls", () -> 2).connections("tcp", () -> 3);

    assertThat(metrics.scrape())
        .contains("parley_sip_connections{node=\"node-2\",transport=\"tls\"} 2.0")
        .contains("parley_sip_connections{node=\"node-2\",transport=\"tcp\"} 3.0")
        .doesNotContain("transport=\"tls\"} 1.0");
  }

  @Test
  void transportNamesMustBeShortTokens() {
    assertThatThrownBy(() -> metrics.connections("tcp\"} 1\nevil", () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jvmAndProcessMetersAreBound() {
    assertThat(metrics.scrape())
        .contains("jvm_memory_max_bytes{")
        .contains("jvm_classes_loaded_classes{")
        .contains("system_cpu_count{")
        .contains("process_start_time_seconds{")
        .contains("jvm_info{");
  }
}
