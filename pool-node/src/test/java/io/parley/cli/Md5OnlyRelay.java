package io.parley.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP relay between a SIP client and Parley that drops the SHA-256 Digest challenges from
 * Parley's 401/407 answers, and records every SIP message Parley sends back.
 *
 * <p>Why: Debian bookworm's baresip 1.0 (libre 1.x) gives up with ENOSYS on the first challenge
 * whose algorithm is not MD5 instead of skipping it (RFC 8760 §2.4 has clients ignore unsupported
 * algorithms), and Parley challenges MD5 and SHA-256 by default. The test runs Parley with {@code
 * --digest-algorithms MD5} and checks that the filter had nothing to drop; the relay stays as the
 * recorder of Parley's side of the wire. Client to server bytes pass through untouched.
 */
final class Md5OnlyRelay implements AutoCloseable {

  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("(?im)^(?:content-length|l)[ \\t]*:[ \\t]*(\\d+)");
  private static final Pattern SHA256_CHALLENGE =
      Pattern.compile("(?i)^(?:www|proxy)-authenticate:.*algorithm=\"?sha-256.*$");

  private final ServerSocket server;
  private final int target;
  private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());

  /** SHA-256 challenges removed (none when Parley runs with --digest-algorithms MD5). */
  final java.util.concurrent.atomic.AtomicInteger dropped =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Every message Parley sent through the relay, after filtering. */
  final List<String> fromParley = new CopyOnWriteArrayList<>();

  Md5OnlyRelay(int parleyTcpPort) throws IOException {
    this.target = parleyTcpPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "md5-relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    try {
      while (!server.isClosed()) {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(upstream);
        daemon(() -> pipe(client, upstream), "md5-relay-up");
        daemon(() -> filter(upstream, client), "md5-relay-down");
      }
    } catch (IOException closed) {
      // relay closed
    }
  }

  private static void daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  private static void pipe(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException closed) {
      // either side gone
    } finally {
      closeQuietly(to);
    }
  }

  /** Reads whole SIP messages (headers + Content-Length body), filters headers, forwards. */
  private void filter(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        byte[] h = head.toByteArray();
        // CRLF keep-alive pongs between messages pass straight through.
        if (h.length == 2 && h[0] == '\r' && h[1] == '\n') {
          out.write(h);
          out.flush();
          head.reset();
          continue;
        }
        int n = h.length;
        if (n < 4 || h[n - 4] != '\r' || h[n - 3] != '\n' || h[n - 2] != '\r' || h[n - 1] != '\n') {
          continue;
        }
        String headers = new String(h, StandardCharsets.UTF_8);
        Matcher m = CONTENT_LENGTH.matcher(headers);
        byte[] body = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
        StringBuilder kept = new StringBuilder();
        for (String line : headers.split("\r\n", -1)) {
          if (!SHA256_CHALLENGE.matcher(line.toLowerCase(Locale.ROOT)).matches()) {
            kept.append(line).append("\r\n");
          } else {
            dropped.incrementAndGet();
          }
        }
        // split(-1) leaves two empty strings after the final CRLFCRLF: one CRLF too many.
        String filtered = kept.substring(0, kept.length() - 2);
        fromParley.add(filtered + new String(body, StandardCharsets.UTF_8));
        out.write(filtered.getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
        head.reset();
      }
    } catch (IOException closed) {
      // either side gone
    } finally {
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (sockets) {
      sockets.forEach(Md5OnlyRelay::closeQuietly);
    }
  }
}
