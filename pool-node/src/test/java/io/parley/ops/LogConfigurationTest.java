package io.parley.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The shipped logback.xml, loaded into a context of its own, as an administrator sees its output.
 */
class LogConfigurationTest {

  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private LoggerContext context;

  @BeforeEach
  void loadShippedConfiguration() throws Exception {
    context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    URL config = getClass().getClassLoader().getResource("logback.xml");
    assertThat(config).isNotNull();
    configurator.doConfigure(config);
    // The shipped appender and encoder, writing here instead of the process's stderr.
    var console =
        (OutputStreamAppender<ILoggingEvent>)
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    assertThat(console).isNotNull();
    console.setOutputStream(stderr);
  }

  @AfterEach
  void stop() {
    context.stop();
  }

  private List<String> lines() {
    return Arrays.asList(stderr.toString(StandardCharsets.UTF_8).split("\n"));
  }

  @Test
  void valuesFromTheNetworkCannotForgeLinesOrEscapeTheTerminal() {
    String callId = "abc\r\n12:00:00.000 INFO  event.register - forged\u001b[2J" + "x".repeat(5000);
    context.getLogger("event.message-dropped").info("ACK {} from udp: no route", callId);

    List<String> lines = lines();
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .contains("event.message-dropped - ACK abc??12:00:00.000 INFO  event.register - forged?[2J")
        .doesNotContain("\u001b")
        .endsWith("x");
    assertThat(lines.get(0).length()).isLessThan(2100); // the message stops at 2,000 characters
  }

  @Test
  void aFloodOfOneEventIsCutAtTheBurstWhileDiagnosticsAreNot() {
    Logger event = context.getLogger("event.connection-closed");
    Logger diagnostic = context.getLogger("io.parley.sip.SomeComponent");
    long start = System.nanoTime();
    for (int i = 0; i < 2000; i++) {
      event.info("TCP tcp-{} closed: FRAMING_LOST", i);
      diagnostic.info("diagnostic {}", i);
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    long events = lines().stream().filter(l -> l.contains("closed: FRAMING_LOST")).count();
    long diagnostics = lines().stream().filter(l -> l.contains(" - diagnostic ")).count();
    // The burst of 500, plus 50/s refilled while the loop ran.
    assertThat(events).isBetween(500L, 500L + (long) Math.ceil(50 * seconds));
    assertThat(diagnostics).isEqualTo(2000);
  }

  @Test
  void hazelcastsCpWarningIsHiddenItsOtherWarningsAreNot() {
    context
        .getLogger("com.hazelcast.cp.CPSubsystem")
        .warn("CP Subsystem is not enabled. CP data structures will operate in UNSAFE mode!");
    context.getLogger("com.hazelcast.internal.cluster.ClusterService").warn("member left");

    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .doesNotContain("CP Subsystem")
        .contains("WARN  c.h.i.c.ClusterService - member left");
  }

  @Test
  void suppressedLinesAreCountedAndReportedWithTheNextLineThatPasses() {
    AtomicLong nanos = new AtomicLong();
    EventLogRateLimit limit = new EventLogRateLimit(nanos::get);
    limit.setLinesPerSecond(1);
    limit.setBurst(2);
    limit.setReportSeconds(10);
    LoggerContext own = new LoggerContext();
    own.addTurboFilter(limit);
    limit.start();
    ch.qos.logback.classic.Logger event = own.getLogger("event.register");
    ch.qos.logback.classic.Logger report = own.getLogger("parley.log-limit");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> written =
        new ch.qos.logback.core.read.ListAppender<>();
    written.setContext(own);
    written.start();
    event.addAppender(written);
    report.addAppender(written);

    for (int i = 0; i < 7; i++) {
      event.info("line {}", i); // 2 pass (the burst), 5 are counted
    }
    nanos.addAndGet(11_000_000_000L); // 11 s later: tokens refilled, report due
    event.info("after");

    assertThat(written.list)
        .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "line 0",
            "line 1",
            "event.register: 5 line(s) not written, more than 1.0/s (burst 2); the metrics count"
                + " every event",
            "after");
  }
}
