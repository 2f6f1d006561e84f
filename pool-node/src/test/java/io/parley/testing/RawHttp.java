package io.parley.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 GET written as raw bytes, for paths {@code java.net.http} refuses to build (a broken
 * {@code %}-escape): a hostile client sends them anyway.
 */
public final class RawHttp {

  private RawHttp() {}

  /** The status line the server at 127.0.0.1:{@code port} answers to {@code GET rawPath}. */
  public static String statusLine(int port, String rawPath) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }
  }
}
