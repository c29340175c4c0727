package dev.damselfly.e2e.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A long-running process inside a lab namespace whose standard output is read line by line on a daemon thread
 * (handed to a consumer, so the process never blocks on a full pipe); {@link #awaitLine} waits for the first line
 * with a given prefix (a ready line). Standard error goes to a file.
 */
final class LabProcess {
    private final String name;
    private final Process process;
    private final Path stderr;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final String readyPrefix;

    private LabProcess(String name, Process process, Path stderr, String readyPrefix) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.readyPrefix = readyPrefix;
    }

    /**
     * @param readyPrefix stdout prefix of the ready line (null: none expected)
     * @param lines       gets every stdout line (may be null)
     */
    static LabProcess start(NetworkLab lab, NetworkLab.Host host, String name, List<String> command, Path stderr,
                            String readyPrefix, Consumer<String> lines) throws IOException {
        Files.createDirectories(stderr.getParent());
        LabProcess p = new LabProcess(name, lab.spawn(host, command, stderr), stderr, readyPrefix);
        Thread reader = new Thread(() -> p.drain(lines), "lab-stdout-" + name);
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /**
     * As {@link #start}, but the process joins only the host's network namespace and stays in the root mount
     * namespace ({@link NetworkLab#spawnNetworkOnly}): for FUSE mounts other processes must see.
     */
    static LabProcess startNetworkOnly(NetworkLab lab, NetworkLab.Host host, String name, List<String> command, Path stderr,
                                       String readyPrefix, Consumer<String> lines) throws IOException {
        Files.createDirectories(stderr.getParent());
        LabProcess p = new LabProcess(name, lab.spawnNetworkOnly(host, command, stderr), stderr, readyPrefix);
        Thread reader = new Thread(() -> p.drain(lines), "lab-stdout-" + name);
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** Waits up to {@code timeout} for the process to exit; its exit code, or -1 when it is still running. */
    int awaitExit(Duration timeout) {
        return waitFor(timeout) ? process.exitValue() : -1;
    }

    private void drain(Consumer<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (readyPrefix != null && !ready.isDone() && line.startsWith(readyPrefix)) {
                    ready.complete(line);
                }
                if (lines != null) {
                    lines.accept(line);
                }
            }
        } catch (IOException e) {
            // the process died; the future below reports it
        }
        ready.completeExceptionally(new IOException("standard output of " + name + " closed before a line starting "
                + readyPrefix));
    }

    /** Waits for the ready line; kills the process and throws {@link LabException} with its log otherwise. */
    String awaitReady(Duration timeout) {
        try {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            kill();
            throw new LabException(name + " printed no line starting '" + readyPrefix + "' within " + timeout + " ("
                    + e + ")\n--- stderr tail\n" + tail(4000));
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL and wait (at most 10 s). */
    void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    void stop(Duration grace) {
        process.destroy();
        if (!waitFor(grace)) {
            kill();
        }
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last {@code chars} characters of standard error. */
    String tail(int chars) {
        try {
            String text = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
            return text.length() <= chars ? text : text.substring(text.length() - chars);
        } catch (IOException e) {
            return "(stderr unreadable: " + e + ")";
        }
    }

    /** The whole standard error so far (a node's log). */
    String log() {
        return tail(Integer.MAX_VALUE);
    }
}
