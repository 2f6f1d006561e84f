package io.parley.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import org.junit.jupiter.api.Test;

class BindFailuresTest {

  @Test
  void epollsBindErrorBecomesABindExceptionNamingTheListener() {
    IOException epoll = new IOException("bind(..) failed with error(-98): Address already in use");

    Throwable named = BindFailures.named("TCP port", "127.0.0.1", 5060, epoll);

    assertThat(named)
        .isInstanceOf(BindException.class)
        .hasMessage("TCP port 127.0.0.1:5060: Address already in use")
        .hasCause(epoll);
  }

  @Test
  void niosBindExceptionGetsTheListenerToo() {
    BindException nio = new BindException("Address already in use");

    assertThat(BindFailures.named("UDP port", "0.0.0.0", 5060, nio))
        .isInstanceOf(BindException.class)
        .hasMessage("UDP port 0.0.0.0:5060: Address already in use");
  }

  @Test
  void otherFailuresPassUnchanged() {
    IOException other = new IOException("connection reset");
    IllegalStateException state = new IllegalStateException("TLS port set without key/cert");

    assertThat(BindFailures.named("TCP port", "127.0.0.1", 5060, other)).isSameAs(other);
    assertThat(BindFailures.named("TCP port", "127.0.0.1", 5060, state)).isSameAs(state);
  }
}
