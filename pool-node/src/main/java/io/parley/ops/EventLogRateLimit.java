package io.parley.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Marker;

/**
 * Caps the lines each {@code event.*} logger writes, so one hostile or broken client cannot flood
 * the log: every stray ACK, framing error or overload refusal it provokes is an event line, and the
 * console appender writes them on the event loop that handled the message.
 *
 * <p>Each event logger has a token bucket ({@link #setLinesPerSecond}, burst of {@link #setBurst});
 * lines beyond it are counted, not written, and the count is reported on {@code parley.log-limit}
 * with the logger's next line that passes, at most once per {@link #setReportSeconds} — the metrics
 * count every event regardless. Diagnostic loggers are never limited.
 */
public final class EventLogRateLimit extends TurboFilter {

  private static final String LIMITED_PREFIX = "event.";
  private static final String REPORT_LOGGER = "parley.log-limit";

  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private double linesPerSecond = 50;
  private int burst = 500;
  private int reportSeconds = 10;

  public EventLogRateLimit() {
    this(System::nanoTime);
  }

  EventLogRateLimit(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Sustained lines per second per event logger; 0 turns the limit off. */
  public void setLinesPerSecond(double linesPerSecond) {
    this.linesPerSecond = linesPerSecond;
  }

  /** Lines a logger may write at once after being quiet. */
  public void setBurst(int burst) {
    this.burst = burst;
  }

  /** Shortest interval between two reports of suppressed lines for one logger. */
  public void setReportSeconds(int reportSeconds) {
    this.reportSeconds = reportSeconds;
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (linesPerSecond <= 0
        || !logger.getName().startsWith(LIMITED_PREFIX)
        || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL; // only lines that would be written spend tokens
    }
    Bucket bucket = buckets.computeIfAbsent(logger.getName(), name -> new Bucket(now(), burst));
    long suppressed;
    synchronized (bucket) {
      long now = now();
      bucket.refill(now, linesPerSecond, burst);
      if (bucket.tokens < 1) {
        bucket.suppressed++;
        return FilterReply.DENY;
      }
      bucket.tokens -= 1;
      if (bucket.suppressed == 0 || now - bucket.lastReport < reportSeconds * 1_000_000_000L) {
        return FilterReply.NEUTRAL;
      }
      suppressed = bucket.suppressed;
      bucket.suppressed = 0;
      bucket.lastReport = now;
    }
    logger
        .getLoggerContext()
        .getLogger(REPORT_LOGGER)
        .warn(
            "{}: {} line(s) not written, more than {}/s (burst {}); the metrics count every event",
            logger.getName(),
            suppressed,
            linesPerSecond,
            burst);
    return FilterReply.NEUTRAL;
  }

  private long now() {
    return nanoTime.getAsLong();
  }

  private static final class Bucket {
    double tokens;
    long refilledAt;
    long lastReport;
    long suppressed;

    Bucket(long now, int burst) {
      tokens = burst;
      refilledAt = now;
      lastReport = now;
    }

    void refill(long now, double perSecond, int burst) {
      tokens = Math.min(burst, tokens + (now - refilledAt) * perSecond / 1e9);
      refilledAt = now;
    }
  }
}
