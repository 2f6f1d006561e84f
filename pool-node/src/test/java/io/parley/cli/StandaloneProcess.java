package io.parley.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/parley standalone} started as a separate OS process, the way an administrator runs it.
 * Its output is collected; listener ports are read from the "listening on" lines (ports 0 =
 * ephemeral, so parallel runs never collide).
 */
final class StandaloneProcess implements AutoCloseable {

  private static final Pattern LISTENING =
      Pattern.compile("listening on sips?:([^:]+):(\\d+);transport=(udp|tcp|tls)");

  final Process process;
  final Path dataDir;
  final List<String> output = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch ready = new CountDownLatch(1);
  private final CountDownLatch ended = new CountDownLatch(1);

  private StandaloneProcess(Process process, Path dataDir) {
    this.process = process;
    this.dataDir = dataDir;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  if (line.contains("ready.")) {
                    ready.countDown();
                  }
                }
              } catch (IOException ignored) {
                // process gone
              } finally {
                ended.countDown();
                ready.countDown();
              }
            },
            "parley-output");
    reader.setDaemon(true);
    reader.start();
  }

  static Path projectDir() {
    String dir = System.getProperty("parley.project.dir");
    Path p = dir != null ? Path.of(dir) : Path.of("..");
    Path script = p.resolve("bin/parley");
    assertThat(script).as("bin/parley under %s", p.toAbsolutePath()).isExecutable();
    return p.toAbsolutePath().normalize();
  }

  /** Runs {@code bin/parley args...} with stderr merged into stdout. */
  static StandaloneProcess start(Path dataDir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(projectDir().resolve("bin/parley").toString());
    Collections.addAll(cmd, args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    return new StandaloneProcess(pb.start(), dataDir);
  }

  static StandaloneProcess startStandalone(Path dataDir, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("standalone", "--data", dataDir.toString()));
    Collections.addAll(args, extra);
    return start(dataDir, args.toArray(String[]::new));
  }

  boolean awaitReady(Duration timeout) throws InterruptedException {
    return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && process.isAlive();
  }

  int awaitExit(Duration timeout) throws InterruptedException {
    assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        .as("process exits; output:%n%s", text())
        .isTrue();
    ended.await(5, TimeUnit.SECONDS);
    return process.exitValue();
  }

  int port(String transport) {
    synchronized (output) {
      for (String line : output) {
        Matcher m = LISTENING.matcher(line);
        if (m.find() && m.group(3).equals(transport)) {
          return Integer.parseInt(m.group(2));
        }
      }
    }
    throw new AssertionError("no " + transport + " listener in output:\n" + text());
  }

  /** Password of a demo user from demo-users.txt ("sip:uri password" lines). */
  String demoPassword(String user) throws IOException {
    for (String line : Files.readAllLines(dataDir.resolve("demo-users.txt"))) {
      String[] parts = line.split(" ", 2);
      if (parts[0].startsWith("sip:" + user + "@")) {
        return parts[1];
      }
    }
    throw new AssertionError("no demo user " + user);
  }

  String text() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  /** SIGTERM, as Ctrl-C or {@code kill} would. */
  void terminate() {
    process.destroy();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
