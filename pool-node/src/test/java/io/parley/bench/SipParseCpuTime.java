package io.parley.bench;

import io.parley.sip.message.SipTestMessages;
import io.parley.sip.parse.ParseResult;
import io.parley.sip.parse.SipMessageParser;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Companion to {@link SipParseBench} for a shared machine: REGISTER parse+serialise measured in
 * <em>thread CPU time</em>, so time spent descheduled by other jobs does not count (a busy sibling
 * hyperthread or cache still does). Prints the median and range of 1-second rounds after warmup.
 * Run: {@code java -cp ... io.parley.bench.SipParseCpuTime [rounds]}.
 */
public final class SipParseCpuTime {
  private SipParseCpuTime() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
    byte[] wire = SipTestMessages.bytes(SipTestMessages.REGISTER);
    SipMessageParser parser = new SipMessageParser();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int i = 0; i < 2_000_000; i++) sink += once(parser, wire); // warmup (C2)
    double[] opsPerCpuSecond = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long ops = 0;
      long cpu0 = mx.getCurrentThreadCpuTime();
      long cpu = 0;
      while (cpu < 1_000_000_000L) {
        for (int i = 0; i < 10_000; i++) sink += once(parser, wire);
        ops += 10_000;
        cpu = mx.getCurrentThreadCpuTime() - cpu0;
      }
      opsPerCpuSecond[r] = ops * 1e9 / cpu;
    }
    Arrays.sort(opsPerCpuSecond);
    System.out.printf(
        "REGISTER parse+serialise per CPU-second: median %.0f (min %.0f, max %.0f) [%d]%n",
        opsPerCpuSecond[rounds / 2], opsPerCpuSecond[0], opsPerCpuSecond[rounds - 1], sink & 1);
  }

  private static int once(SipMessageParser parser, byte[] wire) {
    ParseResult r = parser.parseDatagram(wire, 0, wire.length);
    if (r instanceof ParseResult.Parsed p) return p.message().toBytes().length;
    throw new IllegalStateException(r.toString());
  }
}
