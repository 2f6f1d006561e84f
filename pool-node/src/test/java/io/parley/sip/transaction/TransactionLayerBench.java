package io.parley.sip.transaction;

import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipResponse;
import io.parley.sip.transport.Flow;
import io.parley.testing.FakeSipTimers;
import io.parley.testing.FakeSipTransport;
import io.parley.testing.SipMessages;
import java.time.Duration;
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

/**
 * Server-transaction cost without I/O or parsing: a pre-parsed MESSAGE enters the layer, the TU
 * answers 200, and (UDP) fake time moves on so timer J drains the table. {@code retransmission}
 * measures the absorb-and-resend path.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class TransactionLayerBench {

  private static final int DISTINCT = 4096;

  @Param({"TCP", "UDP"})
  public String transport = "TCP";

  private final FakeSipTimers timers = new FakeSipTimers();
  private FakeSipTransport fake = new FakeSipTransport();
  private SipRequest[] requests = new SipRequest[0];
  private Flow flow = FakeSipTransport.tcpFlow();
  private int next;

  @Setup
  public void setup() {
    fake = new FakeSipTransport();
    flow = transport.equals("UDP") ? FakeSipTransport.udpFlow() : FakeSipTransport.tcpFlow();
    TransactionLayer layer =
        new TransactionLayer(
            fake,
            timers,
            TransactionOptions.defaults()
                .withMaxTransactions(1_000_000)
                .withOverload(new OverloadPolicy(1_000_000, 900_000, Duration.ZERO, 5)));
    layer.transactionUser(
        (request, tx) -> tx.respond(SipResponse.forRequest(request, 200, "OK").toTag("t").build()));
    requests = new SipRequest[DISTINCT];
    for (int i = 0; i < DISTINCT; i++) {
      requests[i] = SipMessages.message("z9hG4bK-bench-" + i, i + 1, "");
    }
  }

  @Benchmark
  public int newTransaction() {
    SipRequest r = requests[next++ & (DISTINCT - 1)];
    if ((next & (DISTINCT - 1)) == 0) {
      timers.advance(Duration.ofSeconds(33)); // timer J ends the UDP transactions of the round
      fake.clear();
    }
    fake.receive(r, flow);
    return fake.sent().size();
  }

  @Benchmark
  public int retransmission() {
    if (fake.sent().size() > 100_000) {
      fake.clear();
    }
    fake.receive(requests[0], flow);
    return fake.sent().size();
  }
}
