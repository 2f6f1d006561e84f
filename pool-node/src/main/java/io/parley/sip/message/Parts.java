package io.parley.sip.message;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Mutable scratch holder filled by {@link WireFormat} and frozen into a message. */
final class Parts {
  byte[] raw = new byte[0];
  int bodyOffset;
  @Nullable Headers headers;
  // header split filled by WireFormat.scanHeaders (offsets into the scanned array)
  HeaderName[] names = new HeaderName[16];
  int[] starts = new int[16];
  int[] ends = new int[16];
  int count;
  boolean folded; // some value spans a folded line (else values decode without a CR/LF check)
  // written by our builder: every line is "Display: value" CRLF, values without CR/LF or edge LWS
  boolean canonical;
  final List<Via> vias = new ArrayList<>();
  @Nullable NameAddr from;
  @Nullable NameAddr to;
  int callIdIndex = -1; // the first Call-ID's header index; decoded on first read
  @Nullable CSeq cseq;
  int maxForwards = -1;
  final List<NameAddr> contacts = new ArrayList<>();
  boolean wildcardContact;
  final List<NameAddr> routes = new ArrayList<>();
  final List<NameAddr> recordRoutes = new ArrayList<>();
  @Nullable String contentType;
  int expires = -1;
  long contentLength = -1;
  // counts of single-valued headers, for "Multiple X" checks
  int fromCount;
  int toCount;
  int callIdCount;
  int cseqCount;
  int maxForwardsCount;
  int contentLengthCount;

  /** The scanned headers over {@code raw}, whose index 0 was {@code base} in the scanned array. */
  Headers freeze(byte[] raw, int base) {
    if (base != 0) {
      for (int i = 0; i < count; i++) {
        starts[i] -= base;
        ends[i] -= base;
      }
    }
    return new Headers(raw, names, starts, ends, count, folded);
  }
}
