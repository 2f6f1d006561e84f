package io.parley.sip.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.sip.message.Headers;
import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipTestMessages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile-input properties: mutated valid messages never make the parser or framer throw, and the
 * framer never allocates beyond its limits. Tries are kept low so the class runs in seconds.
 */
class SipParserPropertiesTest {
  private static final SipLimits LIMITS = new SipLimits(512, 2048, 40, 1024);
  private static final List<String> BASES =
      List.of(
          SipTestMessages.REGISTER,
          SipTestMessages.MESSAGE,
          SipTestMessages.INVITE,
          SipTestMessages.NOTIFY);
  private static final byte[] SPECIAL = {
    '\r', '\n', 0, ':', '"', '<', '>', ',', ';', ' ', '%', '\t'
  };

  /** One mutation: kind, relative position, a parameter. */
  record Mutation(int kind, double where, int param) {}

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<Mutation> mutation =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.doubles().between(0, 1),
                Arbitraries.integers().between(0, 1 << 20))
            .as(Mutation::new);
    return Combinators.combine(Arbitraries.of(BASES), mutation.list().ofMinSize(1).ofMaxSize(6))
        .as(SipParserPropertiesTest::apply);
  }

  static byte[] apply(String base, List<Mutation> mutations) {
    byte[] b = base.getBytes(StandardCharsets.UTF_8);
    for (Mutation m : mutations) {
      int pos = (int) (m.where() * b.length);
      pos = Math.min(pos, b.length);
      switch (m.kind()) {
        case 0 -> { // flip a byte
          if (pos < b.length) b[pos] ^= (byte) (1 + m.param() % 255);
        }
        case 1 -> b = Arrays.copyOf(b, pos); // truncate
        case 2 -> b = insert(b, pos, new byte[] {SPECIAL[m.param() % SPECIAL.length]});
        case 3 -> { // duplicate the header line around pos
          String s = new String(b, StandardCharsets.ISO_8859_1);
          int ls = s.lastIndexOf("\r\n", Math.max(0, pos - 1));
          int le = s.indexOf("\r\n", pos);
          if (ls >= 0 && le > ls) b = insert(b, le, Arrays.copyOfRange(b, ls, le));
        }
        case 4 -> { // replace a digit run with a huge number
          String s = new String(b, StandardCharsets.ISO_8859_1);
          int d = pos;
          while (d < s.length() && !Character.isDigit(s.charAt(d))) d++;
          if (d < s.length()) {
            b = insert(b, d, "99999999999999999999".getBytes(StandardCharsets.ISO_8859_1));
          }
        }
        default ->
            b =
                insert(
                    b, pos, "\r\n".repeat(1 + m.param() % 3).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    return b;
  }

  private static byte[] insert(byte[] b, int pos, byte[] x) {
    byte[] out = new byte[b.length + x.length];
    System.arraycopy(b, 0, out, 0, pos);
    System.arraycopy(x, 0, out, pos, x.length);
    System.arraycopy(b, pos, out, pos + x.length, b.length - pos);
    return out;
  }

  @Property(tries = 400)
  void datagramParserNeverThrowsAndParsedMessagesAreUsable(@ForAll("mutated") byte[] input) {
    ParseResult r = new SipMessageParser(LIMITS).parseDatagram(input, 0, input.length);
    assertThat(r).isNotNull();
    if (r instanceof ParseResult.Parsed p) {
      SipMessage m = p.message();
      Headers h = m.headers();
      for (int i = 0; i < h.size(); i++) {
        assertThat(h.value(i)).doesNotContain("\r", "\n");
      }
      // the kept bytes are exactly the framed message, and a derived copy builds
      String in = new String(input, StandardCharsets.ISO_8859_1);
      assertThat(in).contains(new String(m.toBytes(), StandardCharsets.ISO_8859_1));
      assertThat(m.toBuilder().build().callId()).isEqualTo(m.callId());
    } else {
      ParseResult.Rejected rej = (ParseResult.Rejected) r;
      assertThat(rej.statusCode()).isBetween(400, 599);
      if (rej.errorResponse() != null) {
        // copied header values never smuggle a bare CR or LF into the answer
        String resp = new String(rej.errorResponse(), StandardCharsets.ISO_8859_1);
        assertThat(resp.replace("\r\n", "")).doesNotContain("\r", "\n");
      }
    }
  }

  /** Limits that the base messages fit, and ones that many of them hit (to probe the edges). */
  private static final List<SipLimits> LIMIT_SETS =
      List.of(
          LIMITS,
          SipLimits.defaults(),
          new SipLimits(40, 400, 9, 60),
          new SipLimits(36, 600, 128, 100),
          new SipLimits(36, 2048, 128, 4096));

  /**
   * The one-pass fast path may only accept what the careful path accepts, with the same model;
   * everything else must get the careful path's exact verdict and error response.
   */
  @Property(tries = 600)
  void fastPathGivesTheCarefulPathsVerdict(
      @ForAll("mutated") byte[] input, @ForAll boolean datagram, @ForAll("limitSet") int which) {
    SipMessageParser parser = new SipMessageParser(LIMIT_SETS.get(which));
    ParseResult fast = parser.parseWhole(input, 0, input.length, datagram, true);
    ParseResult careful = parser.parseWhole(input, 0, input.length, datagram, false);
    assertThat(verdict(fast)).isEqualTo(verdict(careful));
  }

  @Provide
  Arbitrary<Integer> limitSet() {
    return Arbitraries.integers().between(0, LIMIT_SETS.size() - 1);
  }

  private static String verdict(ParseResult r) {
    if (r instanceof ParseResult.Rejected rej) {
      byte[] e = rej.errorResponse();
      return "rejected "
          + rej.statusCode()
          + " "
          + rej.reason()
          + "\n"
          // the To tag an error response adds is random
          + (e == null
              ? "no answer"
              : new String(e, StandardCharsets.ISO_8859_1)
                  .replaceAll("(?m)^(To:.*);tag=[0-9a-f]+$", "$1;tag=random"));
    }
    SipMessage m = ((ParseResult.Parsed) r).message();
    return "parsed "
        + new String(m.toBytes(), StandardCharsets.ISO_8859_1)
        + m.headers()
        + m.vias()
        + m.from()
        + m.to()
        + m.callId()
        + m.cseq()
        + m.maxForwards()
        + m.contacts()
        + m.isWildcardContact()
        + m.routes()
        + m.recordRoutes()
        + m.contentType()
        + m.expires()
        + java.util.Arrays.toString(m.body());
  }

  @Property(tries = 300)
  void framerNeverThrowsAndStaysWithinLimits(@ForAll("mutated") byte[] input, @ForAll long seed) {
    RecordingListener rec = new RecordingListener();
    SipStreamFramer f = new SipStreamFramer(LIMITS, new SipMessageParser(LIMITS), rec);
    java.util.Random rnd = new java.util.Random(seed);
    int bound = LIMITS.maxHeaderBlockBytes() + 4 + LIMITS.maxBodyBytes();
    for (int round = 0; round < 3; round++) { // the same bytes three times: a long stream
      int i = 0;
      while (i < input.length) {
        int n = Math.min(input.length - i, 1 + rnd.nextInt(40));
        f.feed(input, i, n);
        assertThat(f.bufferedBytes()).isLessThanOrEqualTo(bound);
        i += n;
      }
    }
    assertThat(rec.events.stream().filter(e -> e.startsWith("lost"))).hasSizeLessThanOrEqualTo(1);
  }

  @Property(tries = 100)
  void endlessHeaderStreamIsCutAtTheHeaderLimit(@ForAll("mutated") byte[] input) {
    RecordingListener rec = new RecordingListener();
    SipStreamFramer f = new SipStreamFramer(LIMITS, new SipMessageParser(LIMITS), rec);
    byte[] start = "OPTIONS sip:a@b SIP/2.0\r\n".getBytes(StandardCharsets.ISO_8859_1);
    f.feed(start, 0, start.length);
    byte[] line = "X-A: b\r\n".getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 1000; i++) {
      f.feed(line, 0, line.length);
      f.feed(input, 0, Math.min(input.length, 3)); // keep some noise in
      assertThat(f.bufferedBytes()).isLessThanOrEqualTo(LIMITS.maxHeaderBlockBytes() + 4);
    }
    assertThat(rec.events).anyMatch(e -> e.startsWith("lost") || e.startsWith("rejected"));
  }
}
