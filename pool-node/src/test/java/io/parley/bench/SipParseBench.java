package io.parley.bench;

import io.parley.sip.message.HeaderName;
import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipTestMessages;
import io.parley.sip.parse.ParseResult;
import io.parley.sip.parse.SipLimits;
import io.parley.sip.parse.SipMessageParser;
import io.parley.sip.parse.SipStreamFramer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * SIP parse/serialise throughput for typical messages. {@code parseAndSerialise} is the receive
 * path plus re-sending unchanged; {@code parseDeriveSerialise} is the proxy path (new top Via,
 * Max-Forwards decremented, rebuilt and re-serialised); {@code streamFrame} adds TCP framing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SipParseBench {

  @Param({"REGISTER", "MESSAGE", "NOTIFY", "INVITE"})
  public String kind = "REGISTER";

  private byte[] wire = new byte[0];
  private final SipMessageParser parser = new SipMessageParser();
  private SipStreamFramer framer =
      new SipStreamFramer(SipLimits.defaults(), parser, new NullListener(null));

  @Setup
  public void setup(Blackhole bh) {
    String text =
        switch (kind) {
          case "REGISTER" -> SipTestMessages.REGISTER;
          case "MESSAGE" -> SipTestMessages.MESSAGE;
          case "NOTIFY" -> SipTestMessages.NOTIFY;
          case "INVITE" -> SipTestMessages.INVITE;
          default -> throw new IllegalArgumentException(kind);
        };
    wire = SipTestMessages.bytes(text);
    framer = new SipStreamFramer(SipLimits.defaults(), parser, new NullListener(bh));
  }

  private SipMessage parse() {
    ParseResult r = parser.parseDatagram(wire, 0, wire.length);
    if (r instanceof ParseResult.Parsed p) return p.message();
    throw new IllegalStateException(r.toString());
  }

  @Benchmark
  public byte[] parseAndSerialise() {
    return parse().toBytes();
  }

  @Benchmark
  public byte[] parseDeriveSerialise() {
    SipMessage m = parse();
    return m.toBuilder()
        .addFirst(HeaderName.VIA, "SIP/2.0/TLS proxy.example.test:5061;branch=z9hG4bKbench1")
        .set(HeaderName.MAX_FORWARDS, Integer.toString(Math.max(0, m.maxForwards() - 1)))
        .build()
        .toBytes();
  }

  @Benchmark
  public void streamFrame() {
    framer.feed(wire, 0, wire.length);
  }

  /** Sinks framer callbacks into the blackhole. */
  static final class NullListener implements SipStreamFramer.FramerListener {
    private final @org.jspecify.annotations.Nullable Blackhole bh;

    NullListener(@org.jspecify.annotations.Nullable Blackhole bh) {
      this.bh = bh;
    }

    @Override
    public void onMessage(SipMessage m) {
      if (bh != null) bh.consume(m);
    }

    @Override
    public void onKeepAlivePing() {}

    @Override
    public void onRejected(ParseResult.Rejected r) {
      throw new IllegalStateException(r.toString());
    }

    @Override
    public void onFramingLost(String reason) {
      throw new IllegalStateException(reason);
    }
  }
}
