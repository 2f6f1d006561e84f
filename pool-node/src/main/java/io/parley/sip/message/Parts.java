package io.parley.sip.message;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Mutable scratch holder filled by {@link WireFormat} and frozen into a message. */
final class Parts {
  byte[] raw = new byte[0];
  int bodyOffset;
  @Nullable Headers headers;
  final List<Via> vias = new ArrayList<>();
  @Nullable NameAddr from;
  @Nullable NameAddr to;
  @Nullable String callId;
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
}
