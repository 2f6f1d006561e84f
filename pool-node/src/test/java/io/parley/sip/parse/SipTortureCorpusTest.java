package io.parley.sip.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.parley.sip.message.AbsoluteUri;
import io.parley.sip.message.NameAddr;
import io.parley.sip.message.SipMessage;
import io.parley.sip.message.SipRequest;
import io.parley.sip.message.SipUri;
import io.parley.sip.message.Via;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 4475 and RFC 5118 torture messages, each with the verdict of the corpus {@code INDEX.md}.
 * Every file is fed whole as a UDP datagram, byte by byte to a stream framer, and split at seeded
 * random points to a stream framer (all stream feedings must give identical events).
 *
 * <p>The corpus is read from {@code ${parley.shared.dir}/testdata/sip-torture} or, if set, from
 * {@code -Dparley.sip.torture.dir}; a missing corpus fails the test.
 *
 * <p>Semantic verdicts (416, 420, 483, 415, 406, registrar 400...) belong to later layers: here the
 * parser must accept those messages, and we assert what the model must expose for them.
 */
class SipTortureCorpusTest {

  /** Expected outcome: accept, reject:NNN (request refused with status), drop, lost, wait. */
  private record Verdict(String datagram, String stream) {}

  private static Verdict both(String v) {
    return new Verdict(v, v);
  }

  private static final Map<String, Verdict> RFC4475 = new LinkedHashMap<>();
  private static final Map<String, Verdict> RFC5118 = new LinkedHashMap<>();

  static {
    // §3.1.1 valid
    for (String f :
        List.of(
            "wsinv",
            "intmeth",
            "esc01",
            "escnull",
            "esc02",
            "lwsdisp",
            "longreq",
            "dblreq",
            "semiuri",
            "transports",
            "mpart01",
            "unreason",
            "noreason")) {
      RFC4475.put(f, both("accept"));
    }
    // §3.1.2 invalid
    RFC4475.put("badinv01", both("reject:400"));
    RFC4475.put("clerr", new Verdict("reject:400", "wait")); // TCP: wait for 9999 bytes
    RFC4475.put("ncl", new Verdict("reject:400", "lost"));
    RFC4475.put("scalar02", both("reject:400"));
    RFC4475.put("scalarlg", both("drop"));
    RFC4475.put("quotbal", both("reject:400"));
    RFC4475.put("ltgtruri", both("reject:400"));
    RFC4475.put("lwsruri", both("reject:400"));
    RFC4475.put("lwsstart", both("reject:400"));
    RFC4475.put("trws", both("reject:400"));
    RFC4475.put("escruri", both("reject:400"));
    RFC4475.put("baddate", both("reject:400"));
    RFC4475.put("regbadct", both("reject:400"));
    RFC4475.put("badaspec", both("reject:400"));
    RFC4475.put("baddn", new Verdict("reject:400", "wait")); // no final blank line in archive
    RFC4475.put("badvers", both("reject:505"));
    RFC4475.put("mismatch01", both("reject:400"));
    RFC4475.put("mismatch02", both("reject:501"));
    RFC4475.put("bigcode", both("drop"));
    // §3.2, §3.3, §3.4
    RFC4475.put("badbranch", both("accept"));
    RFC4475.put("insuf", both("reject:400"));
    for (String f :
        List.of(
            "unkscm",
            "novelsc",
            "unksm2",
            "bext01",
            "invut",
            "regaut01",
            "bcast",
            "zeromf",
            "cparam01",
            "cparam02",
            "regescrt",
            "sdp01")) {
      RFC4475.put(f, both("accept"));
    }
    RFC4475.put("multi01", both("reject:400"));
    RFC4475.put("mcl01", new Verdict("reject:400", "lost"));
    // no Content-Length: body to end of datagram; on a stream CL is mandatory (RFC 3261 §18.3)
    RFC4475.put("inv2543", new Verdict("accept", "lost"));
    RFC4475.put("test", both("reject:400")); // not in the RFC; must not crash

    for (String f :
        List.of(
            "ipv6-good",
            "port-ambiguous",
            "port-unambiguous",
            "via-received-param-with-delim",
            "via-received-param-no-delim",
            "ipv6-in-sdp",
            "mult-ip-in-header",
            "mult-ip-in-sdp",
            "ipv4-mapped-ipv6",
            "ipv6-bug-abnf-3-colons",
            "ipv6-correct-abnf-2-colons")) {
      RFC5118.put(f, both("accept"));
    }
    RFC5118.put("ipv6-bad", both("reject:400"));
  }

  /** The reason phrase must name the actual fault, not an accidental one. */
  private static final Map<String, String> REASONS =
      Map.ofEntries(
          Map.entry("rfc4475/badinv01.dat", "Bad Via"),
          Map.entry("rfc4475/clerr.dat", "Bad Content-Length"),
          Map.entry("rfc4475/ncl.dat", "Bad Content-Length"),
          Map.entry("rfc4475/scalar02.dat", "Bad CSeq"),
          Map.entry("rfc4475/quotbal.dat", "Bad To"),
          Map.entry("rfc4475/ltgtruri.dat", "Bad Request-URI"),
          Map.entry("rfc4475/lwsruri.dat", "Bad Request-Line"),
          Map.entry("rfc4475/lwsstart.dat", "Bad Request-Line"),
          Map.entry("rfc4475/trws.dat", "Bad Request-Line"),
          Map.entry("rfc4475/escruri.dat", "Bad Request-URI"),
          Map.entry("rfc4475/baddate.dat", "Bad Date"),
          Map.entry("rfc4475/regbadct.dat", "Bad Contact"),
          Map.entry("rfc4475/badaspec.dat", "Bad To"),
          Map.entry("rfc4475/baddn.dat", "Missing Blank Line"),
          Map.entry("rfc4475/badvers.dat", "Version Not Supported"),
          Map.entry("rfc4475/mismatch01.dat", "CSeq Method Mismatch"),
          Map.entry("rfc4475/insuf.dat", "Missing From"),
          Map.entry("rfc4475/multi01.dat", "Multiple From"),
          Map.entry("rfc4475/mcl01.dat", "Multiple Content-Length"),
          Map.entry("rfc4475/test.dat", "Bad Request-Line"),
          Map.entry("rfc5118/ipv6-bad", "Bad Request-URI"));

  private static final Map<String, Consumer<SipMessage>> CHECKS = new LinkedHashMap<>();

  private static SipUri sipUri(Object u) {
    assertThat(u).isInstanceOf(SipUri.class);
    return (SipUri) u;
  }

  static {
    CHECKS.put(
        "wsinv",
        m -> {
          assertThat(m.to().tag()).isEqualTo("1918181833n");
          assertThat(m.from().displayName()).isEqualTo("J Rosenberg \\\"");
          assertThat(m.vias()).extracting(Via::transport).containsExactly("UDP", "TCP", "UDP");
          assertThat(m.maxForwards()).isEqualTo(68);
          assertThat(m.cseq().sequence()).isEqualTo(9);
          assertThat(m.contacts().get(0).param("secondparam")).isEqualTo("");
        });
    CHECKS.put(
        "esc01",
        m -> {
          SipRequest r = (SipRequest) m;
          assertThat(sipUri(r.requestUri()).user()).isEqualTo("sips:user@example.com");
          assertThat(sipUri(m.from().uri()).user()).isEqualTo("I have spaces");
          SipUri contact = sipUri(m.contacts().get(0).uri());
          assertThat(contact.user()).isEqualTo("caller");
          assertThat(contact.lr()).isTrue();
          assertThat(contact.param("name")).isEqualTo("value%41"); // unescaped once only
        });
    CHECKS.put(
        "escnull",
        m -> {
          assertThat(m.contacts()).hasSize(2);
          SipUri a = sipUri(m.contacts().get(0).uri());
          SipUri b = sipUri(m.contacts().get(1).uri());
          assertThat(a.user()).isEqualTo("\0");
          assertThat(b.user()).isEqualTo("\0\0");
          assertThat(a.aor()).isNotEqualTo(b.aor());
          assertThat(sipUri(m.to().uri()).user()).isEqualTo("null-\0-null");
        });
    CHECKS.put(
        "esc02",
        m -> {
          assertThat(((SipRequest) m).method()).isEqualTo("RE%47IST%45R");
          assertThat(((SipRequest) m).isMethod("REGISTER")).isFalse();
          assertThat(m.from().displayName()).isEqualTo("%Z%45");
          assertThat(m.contacts()).hasSize(2);
        });
    CHECKS.put("lwsdisp", m -> assertThat(m.from().displayName()).isEqualTo("caller"));
    CHECKS.put("longreq", m -> assertThat(m.vias()).hasSize(34));
    CHECKS.put(
        "dblreq",
        m -> {
          assertThat(((SipRequest) m).method()).isEqualTo("REGISTER");
          assertThat(m.body()).isEmpty();
          assertThat(new String(m.toBytes(), StandardCharsets.UTF_8)).doesNotContain("INVITE");
        });
    CHECKS.put(
        "semiuri",
        m ->
            assertThat(sipUri(((SipRequest) m).requestUri()).user())
                .isEqualTo("user;par=u@example.net"));
    CHECKS.put(
        "transports",
        m ->
            assertThat(m.vias())
                .extracting(Via::transport)
                .contains("UDP", "SCTP", "TLS", "UNKNOWN", "TCP"));
    CHECKS.put(
        "mpart01",
        m -> {
          byte[] body = m.body();
          assertThat(body)
              .hasSize(Integer.parseInt(m.header(io.parley.sip.message.HeaderName.CONTENT_LENGTH)));
          assertThat(body).contains((byte) 0);
        });
    CHECKS.put("badbranch", m -> assertThat(m.topVia().hasRfc3261Branch()).isFalse());
    CHECKS.put(
        "unkscm", m -> assertThat(((SipRequest) m).requestUri()).isInstanceOf(AbsoluteUri.class));
    CHECKS.put(
        "novelsc", m -> assertThat(((SipRequest) m).requestUri().scheme()).isEqualTo("soap.beep"));
    CHECKS.put(
        "unksm2",
        m -> {
          assertThat(m.to().uri().scheme()).isEqualTo("isbn");
          assertThat(m.from().uri().scheme()).isEqualTo("http");
          assertThat(m.contacts().get(0).uri().scheme()).isEqualTo("name");
        });
    CHECKS.put("zeromf", m -> assertThat(m.maxForwards()).isZero());
    CHECKS.put(
        "cparam01",
        m -> {
          NameAddr c = m.contacts().get(0);
          assertThat(c.params()).containsKey("unknownparam");
          assertThat(sipUri(c.uri()).params()).doesNotContainKey("unknownparam");
        });
    CHECKS.put(
        "cparam02",
        m -> {
          NameAddr c = m.contacts().get(0);
          assertThat(c.params()).doesNotContainKey("unknownparam");
          assertThat(sipUri(c.uri()).params()).containsKey("unknownparam");
        });
    CHECKS.put(
        "regescrt",
        m -> {
          SipUri c = sipUri(m.contacts().get(0).uri());
          assertThat(c.headers()).containsEntry("Route", "<sip:sip.example.com>");
          assertThat(c.toString()).endsWith("?Route=%3Csip:sip.example.com%3E");
        });
    CHECKS.put("bcast", m -> assertThat(m.vias().get(1).host()).isEqualTo("255.255.255.255"));
    CHECKS.put(
        "inv2543",
        m -> {
          assertThat(m.maxForwards()).isEqualTo(-1);
          assertThat(m.topVia().branch()).isNull();
          assertThat(m.from().tag()).isNull();
          assertThat(m.body()).isNotEmpty();
        });
    CHECKS.put(
        "port-ambiguous",
        m -> {
          SipUri u = sipUri(((SipRequest) m).requestUri());
          assertThat(u.host()).isEqualTo("[2001:db8::10:5070]");
          assertThat(u.port()).isEqualTo(-1);
        });
    CHECKS.put(
        "port-unambiguous",
        m -> {
          SipUri u = sipUri(((SipRequest) m).requestUri());
          assertThat(u.host()).isEqualTo("[2001:db8::10]");
          assertThat(u.port()).isEqualTo(5070);
        });
    CHECKS.put(
        "via-received-param-with-delim",
        m -> assertThat(m.topVia().received()).isEqualTo("[2001:db8::9:255]"));
    CHECKS.put(
        "via-received-param-no-delim",
        m -> assertThat(m.topVia().received()).isEqualTo("2001:db8::9:255"));
    CHECKS.put("ipv6-good", m -> assertThat(m.topVia().host()).isEqualTo("[2001:db8::9:1]"));
  }

  static Path corpusDir() {
    String override = System.getProperty("parley.sip.torture.dir");
    if (override != null) return Path.of(override);
    String shared = System.getProperty("parley.shared.dir");
    if (shared == null) {
      fail("system property parley.shared.dir is not set; cannot find the SIP torture corpus");
    }
    return Path.of(shared, "testdata", "sip-torture");
  }

  static Stream<Arguments> corpus() {
    List<Arguments> out = new ArrayList<>();
    RFC4475.forEach((f, v) -> out.add(Arguments.of("rfc4475/" + f + ".dat", v)));
    RFC5118.forEach((f, v) -> out.add(Arguments.of("rfc5118/" + f, v)));
    return out.stream();
  }

  @Test
  void corpusFolderIsPresentAndEveryFileHasAVerdict() throws IOException {
    Path dir = corpusDir();
    assertThat(dir.resolve("rfc4475"))
        .as(
            "SIP torture corpus missing at %s (set -Dparley.shared.dir or -Dparley.sip.torture.dir)",
            dir)
        .isDirectory();
    assertThat(dir.resolve("rfc5118")).as("RFC 5118 corpus missing at %s", dir).isDirectory();
    try (Stream<Path> files = Files.list(dir.resolve("rfc4475"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".dat")))
          .hasSize(50)
          .allSatisfy(n -> assertThat(RFC4475).containsKey(n.substring(0, n.length() - 4)));
    }
    try (Stream<Path> files = Files.list(dir.resolve("rfc5118"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".md")))
          .hasSize(12)
          .allSatisfy(n -> assertThat(RFC5118).containsKey(n));
    }
  }

  /** Reads a corpus file as wire bytes; RFC 5118 files get the harness fixes of its INDEX.md. */
  static byte[] load(String name) throws IOException {
    Path p = corpusDir().resolve(name);
    if (!Files.isRegularFile(p)) {
      fail("SIP torture corpus file missing: " + p + " (set -Dparley.shared.dir)");
    }
    byte[] raw = Files.readAllBytes(p);
    return name.startsWith("rfc5118/") ? fixRfc5118(raw) : raw;
  }

  private static final Pattern CL =
      Pattern.compile("(?im)^(Content-Length|l)[ \\t]*:[ \\t]*\\d+[ \\t]*$");

  /** LF to CRLF, add the missing blank line, recompute Content-Length from the real body. */
  static byte[] fixRfc5118(byte[] raw) {
    String s = new String(raw, StandardCharsets.ISO_8859_1).replace("\n", "\r\n");
    int blank = s.indexOf("\r\n\r\n");
    if (blank < 0) {
      s = s.endsWith("\r\n") ? s + "\r\n" : s + "\r\n\r\n";
      blank = s.indexOf("\r\n\r\n");
    }
    String head = s.substring(0, blank + 2);
    String body = s.substring(blank + 4);
    Matcher m = CL.matcher(head);
    if (m.find()) {
      head = m.replaceFirst("Content-Length: " + body.length());
    }
    return (head + "\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("corpus")
  void datagramGetsIndexVerdict(String file, Verdict verdict) throws IOException {
    byte[] b = load(file);
    ParseResult r = new SipMessageParser().parseDatagram(b, 0, b.length);
    String outcome = describe(r, isResponse(b));
    assertThat(outcome).as("%s as UDP datagram (%s)", file, r).isEqualTo(verdict.datagram());
    if (r instanceof ParseResult.Parsed p) {
      check(file, p.message());
    }
    if (REASONS.containsKey(file)) {
      assertThat(((ParseResult.Rejected) r).reason()).as(file).isEqualTo(REASONS.get(file));
    }
  }

  @Test
  void badinv01IsAnsweredWith400ThoughItsViaCannotBeParsed() throws IOException {
    // RFC 4475 §3.1.2.1 expects 400. The answer goes to the datagram's source or back on the
    // connection, so the malformed Via is only copied, not needed to route it.
    byte[] b = load("rfc4475/badinv01.dat");
    ParseResult r = new SipMessageParser().parseDatagram(b, 0, b.length);
    byte[] answer = ((ParseResult.Rejected) r).errorResponse();

    assertThat(answer).isNotNull();
    assertThat(new String(answer, StandardCharsets.UTF_8))
        .startsWith("SIP/2.0 400 Bad Via\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n")
        .contains("\r\nCall-ID: badinv01.0ha0isndaksdjasdf3234nas\r\n", "\r\nCSeq: 8 INVITE\r\n");
  }

  @Test
  void baddnWithItsBlankLineRestoredIsRejectedForTheUnquotedComma() throws IOException {
    byte[] b = load("rfc4475/baddn.dat");
    byte[] fixed = java.util.Arrays.copyOf(b, b.length + 2);
    fixed[b.length] = '\r';
    fixed[b.length + 1] = '\n';
    ParseResult r = new SipMessageParser().parseDatagram(fixed, 0, fixed.length);
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    assertThat(((ParseResult.Rejected) r).reason()).isEqualTo("Bad From");
  }

  @Test
  void bareLfMessagesAreRejectedOnDatagramAndCloseAStream() throws IOException {
    // RFC 5118 files are bare-LF on disk; we reject bare LF (see WireFormat javadoc)
    byte[] raw = Files.readAllBytes(corpusDir().resolve("rfc5118/ipv6-good"));
    ParseResult r = new SipMessageParser().parseDatagram(raw, 0, raw.length);
    assertThat(r).isInstanceOf(ParseResult.Rejected.class);
    assertThat(((ParseResult.Rejected) r).reason()).isEqualTo("Bare LF Not Allowed");
    Recorder rec = new Recorder(false);
    Recorder.framer(rec).feed(raw, 0, raw.length);
    assertThat(rec.events).containsExactly("lost");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("corpus")
  void streamGetsIndexVerdictForEverySplit(String file, Verdict verdict) throws IOException {
    byte[] b = load(file);
    Recorder whole = new Recorder(isResponse(b));
    Recorder.framer(whole).feed(b, 0, b.length);
    Recorder bytewise = new Recorder(isResponse(b));
    SipStreamFramer bf = Recorder.framer(bytewise);
    for (int i = 0; i < b.length; i++) bf.feed(b, i, 1);
    assertThat(bytewise.events).as("%s byte by byte vs whole", file).isEqualTo(whole.events);
    Random rnd = new Random(4475L + file.hashCode());
    for (int run = 0; run < 5; run++) {
      Recorder split = new Recorder(isResponse(b));
      SipStreamFramer sf = Recorder.framer(split);
      int i = 0;
      while (i < b.length) {
        int n = Math.min(b.length - i, 1 + rnd.nextInt(64));
        sf.feed(b, i, n);
        i += n;
      }
      assertThat(split.events).as("%s random split %d", file, run).isEqualTo(whole.events);
    }
    String first = whole.events.isEmpty() ? "wait" : whole.events.get(0);
    assertThat(first).as("%s over a stream: %s", file, whole.events).isEqualTo(verdict.stream());
    if (!file.contains("dblreq")) {
      assertThat(whole.events).as("%s: one outcome only", file).hasSizeLessThanOrEqualTo(1);
    }
    if (first.equals("accept")) {
      check(file, whole.messages.get(0));
    }
  }

  private static boolean isResponse(byte[] b) {
    return new String(b, 0, Math.min(4, b.length), StandardCharsets.ISO_8859_1).equals("SIP/");
  }

  private static void check(String file, SipMessage m) {
    String key = file.substring(file.indexOf('/') + 1).replace(".dat", "");
    Consumer<SipMessage> c = CHECKS.get(key);
    if (c != null) c.accept(m);
  }

  /** "drop" for a refused response (nothing answered), else "reject:NNN" or "accept". */
  static String describe(ParseResult r, boolean isResponse) {
    return switch (r) {
      case ParseResult.Parsed p -> "accept";
      case ParseResult.Rejected rej -> {
        if (isResponse) {
          assertThat(rej.errorResponse()).as("a bad response is never answered").isNull();
          yield "drop";
        }
        if (rej.errorResponse() != null) {
          // copies the request's own (maybe malformed) Via/From/To/CSeq, so check its frame only
          String resp = new String(rej.errorResponse(), StandardCharsets.UTF_8);
          assertThat(resp)
              .startsWith("SIP/2.0 " + rej.statusCode() + " " + rej.reason() + "\r\n")
              .contains("\r\nVia: ")
              .endsWith("\r\nContent-Length: 0\r\n\r\n");
        }
        yield "reject:" + rej.statusCode();
      }
    };
  }

  /** Records framer events as strings. */
  static final class Recorder implements SipStreamFramer.FramerListener {
    final List<String> events = new ArrayList<>();
    final List<SipMessage> messages = new ArrayList<>();
    final boolean response;

    Recorder(boolean response) {
      this.response = response;
    }

    static SipStreamFramer framer(Recorder r) {
      return new SipStreamFramer(SipLimits.defaults(), new SipMessageParser(), r);
    }

    @Override
    public void onMessage(SipMessage m) {
      events.add("accept");
      messages.add(m);
    }

    @Override
    public void onKeepAlivePing() {
      events.add("ping");
    }

    @Override
    public void onRejected(ParseResult.Rejected r) {
      events.add(describe(r, response));
    }

    @Override
    public void onFramingLost(String reason) {
      events.add("lost");
    }
  }
}
