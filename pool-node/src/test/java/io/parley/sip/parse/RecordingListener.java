package io.parley.sip.parse;

import io.parley.sip.message.SipMessage;
import java.util.ArrayList;
import java.util.List;

/** Records framer callbacks as short strings ("message METHOD", "ping", "rejected 413 ..."). */
final class RecordingListener implements SipStreamFramer.FramerListener {
  final List<String> events = new ArrayList<>();
  final List<SipMessage> messages = new ArrayList<>();
  final List<ParseResult.Rejected> rejected = new ArrayList<>();

  @Override
  public void onMessage(SipMessage m) {
    messages.add(m);
    events.add("message " + m.cseq().method());
  }

  @Override
  public void onKeepAlivePing() {
    events.add("ping");
  }

  @Override
  public void onRejected(ParseResult.Rejected r) {
    rejected.add(r);
    events.add("rejected " + r.statusCode() + " " + r.reason());
  }

  @Override
  public void onFramingLost(String reason) {
    events.add("lost " + reason);
  }
}
