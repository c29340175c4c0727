package dev.damselfly.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code damselfly node} as a real process with every port on 127.0.0.1 port 0 and an embedded scheduler; waits
 * for its {@code node ready …} line and exposes the bound ports. {@link #close()} sends SIGTERM and fails if the
 * node does not stop in time (graceful stop is part of the node contract).
 */
final class RunningNode implements AutoCloseable {
    /** How long the node may take to print its ready line: 60 s. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long the node may take to stop after SIGTERM: 20 s. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path stderr;
    private final String readyLine;
    private final Map<String, Integer> ports;

    private RunningNode(Process process, Path stderr, String readyLine, Map<String, Integer> ports) {
        this.process = process;
        this.stderr = stderr;
        this.readyLine = readyLine;
        this.ports = ports;
    }

    /**
     * Starts a node whose data directory is {@code work/data} and whose standard error goes to {@code work/node.err}.
     *
     * @param hostname the advertised host name (host id becomes {@code 127.0.0.1-<hostname>})
     */
    static RunningNode start(Path work, String hostname) throws IOException, InterruptedException {
        Path stderr = work.resolve("node.err");
        Process process = DamselflyProcess.start(stderr, "node", "--data-dir", work.resolve("data").toString(),
                "--set", "host.ip=127.0.0.1", "--set", "host.hostname=" + hostname,
                "--set", "upload.listen=127.0.0.1", "--set", "upload.grpcPort=0", "--set", "upload.vortexPort=0",
                "--set", "scheduler.embeddedListen=127.0.0.1:0",
                "--set", "proxy.listen=127.0.0.1", "--set", "proxy.port=0",
                "--set", "metrics.listen=127.0.0.1", "--set", "metrics.port=0",
                "--set", "health.listen=127.0.0.1", "--set", "health.port=0",
                "--set", "admin.listen=127.0.0.1", "--set", "admin.port=0");
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> drainStdout(process, ready), "node-stdout");
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            stop(process);
            throw new IllegalStateException("damselfly node printed no ready line within " + READY_TIMEOUT + " ("
                    + e + ", exit " + (process.isAlive() ? "none" : process.exitValue()) + ")\n--- stderr\n"
                    + Files.readString(stderr, StandardCharsets.UTF_8));
        }
        Map<String, Integer> ports = new HashMap<>();
        for (String field : line.substring("node ready".length()).trim().split(" +")) {
            int eq = field.indexOf('=');
            if (eq > 0 && field.substring(eq + 1).matches("[0-9]+")) {
                ports.put(field.substring(0, eq), Integer.parseInt(field.substring(eq + 1)));
            }
        }
        for (String required : List.of("admin", "metrics")) {
            if (!ports.containsKey(required)) {
                stop(process);
                throw new IllegalStateException("the node's ready line has no " + required + "= port: " + line);
            }
        }
        return new RunningNode(process, stderr, line, Collections.unmodifiableMap(ports));
    }

    /** Completes {@code ready} with the first {@code node ready} line, then keeps reading so the node never blocks. */
    private static void drainStdout(Process process, CompletableFuture<String> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!ready.isDone() && line.startsWith("node ready ")) {
                    ready.complete(line);
                }
            }
            ready.completeExceptionally(new IOException("standard output closed before the ready line"));
        } catch (IOException e) {
            ready.completeExceptionally(e);
        }
    }

    /** A bound port from the ready line, by name (admin, grpc, health, metrics, proxy, scheduler, vortex). */
    int port(String name) {
        Integer port = ports.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no " + name + " port in the ready line: " + readyLine);
        }
        return port;
    }

    /** The ready line as printed. */
    String readyLine() {
        return readyLine;
    }

    /** What the node wrote to standard error so far (its log). */
    String stderrText() {
        try {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean stop(Process process) throws InterruptedException {
        process.destroy();
        if (process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            return true;
        }
        process.destroyForcibly().waitFor();
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        if (!stop(process)) {
            throw new IllegalStateException("damselfly node did not stop within " + STOP_TIMEOUT + " of SIGTERM (killed)\n"
                    + "--- stderr tail\n" + tail(stderrText(), 4000));
        }
    }

    private static String tail(String text, int chars) {
        return text.length() <= chars ? text : text.substring(text.length() - chars);
    }
}
