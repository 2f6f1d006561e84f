package io.parley.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One NOTIFY of a presence fan-out as the agent builds it and the transaction layer adds its Via:
 * {@code shortcut} is today's path (the builder's offsets, the Via spliced in), {@code reparsed}
 * the path before (full decode of the built bytes, then a rebuild and a second full decode for the
 * Via). In this package because the old path uses the builder's package-private serialisation. Run
 * as docs/performance.md says, with this file added to the javac line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class NotifyBuildBench {
  private static final String VIA = "SIP/2.0/TCP 127.0.0.1:31461;branch=z9hG4bK3f2a9c1d.17;rport";
  private Uri target;
  private String start;
  private byte[] pidf;

  @Setup
  public void setUp() throws SipParseException {
    target = Uri.parse("sip:w00001@127.0.0.1:40312;transport=tcp");
    start = "NOTIFY " + target + " SIP/2.0";
    pidf =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<presence"
                + " xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:p1@example.test\">"
                + "<tuple id=\"t1\"><status><basic>open</basic></status>"
                + "<note>fanout-r12-abcdef</note></tuple></presence>")
            .getBytes(StandardCharsets.UTF_8);
  }

  private SipRequest.Builder notifyBuilder() {
    return SipRequest.builder("NOTIFY", target)
        .add(HeaderName.MAX_FORWARDS, "70")
        .add(HeaderName.FROM, "<sip:p1@example.test>;tag=5b1c0f2e9a7d")
        .add(HeaderName.TO, "<sip:w00001@example.test>;tag=8a3e1f")
        .add(HeaderName.CALL_ID, "2f9c1b7e4d3a@127.0.0.1")
        .add(HeaderName.CSEQ, "14 NOTIFY")
        .add(HeaderName.CONTACT, "<sip:127.0.0.1:31461;transport=tcp>")
        .add(HeaderName.EVENT, "presence")
        .add(HeaderName.SUBSCRIPTION_STATE, "active;expires=581")
        .body("application/pidf+xml", pidf);
  }

  @Benchmark
  public SipRequest shortcut() {
    return notifyBuilder().build().withTopVia(VIA);
  }

  @Benchmark
  public SipMessage reparsed() throws SipParseException {
    SipRequest built = (SipRequest) WireFormat.decodeBuilt(notifyBuilder().serialize(start));
    return WireFormat.decodeBuilt(built.toBuilder().addFirst(HeaderName.VIA, VIA).serialize(start));
  }
}
