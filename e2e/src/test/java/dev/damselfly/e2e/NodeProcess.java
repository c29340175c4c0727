package dev.damselfly.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code damselfly node} process on its own loopback address (127.0.0.N), every port picked free, reading
 * its {@code node ready …} line for the bound ports. Closing sends SIGTERM and waits; {@link #kill()} is SIGKILL.
 */
final class NodeProcess implements AutoCloseable {
    private final String name;
    private final String ip;
    private final Process process;
    private final Path stderr;
    private final Map<String, Integer> ports;

    private NodeProcess(String name, String ip, Process process, Path stderr, Map<String, Integer> ports) {
        this.name = name;
        this.ip = ip;
        this.process = process;
        this.stderr = stderr;
        this.ports = ports;
    }

    /**
     * @param ip the node's own loopback address, e.g. 127.0.0.11 (its host id is {@code ip-name})
     * @param extra further {@code --set key=value} pairs (without "--set")
     */
    static NodeProcess start(Path work, String name, String ip, String schedulerAddress, List<String> extra)
            throws IOException, InterruptedException {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        Path stderr = dir.resolve("node.err");
        List<String> args = new ArrayList<>(List.of("node", "--data-dir", dir.resolve("data").toString()));
        List<String> sets = new ArrayList<>(List.of("host.ip=" + ip, "host.hostname=" + name,
                "upload.listen=" + ip, "upload.grpcPort=0", "upload.vortexPort=0",
                "scheduler.addresses=[" + schedulerAddress + "]",
                "proxy.listen=" + ip, "proxy.port=0", "metrics.listen=" + ip, "metrics.port=0",
                "health.listen=" + ip, "health.port=0", "admin.port=0"));
        sets.addAll(extra);
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        Process process = DamselflyProcess.start(stderr, args.toArray(String[]::new));
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String ready;
        try {
            ready = line.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("node " + name + " did not start: " + e + "\n" + Files.readString(stderr));
        }
        if (ready == null || !ready.startsWith("node ready ")) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("node " + name + " did not start: " + ready + "\n" + Files.readString(stderr));
        }
        Map<String, Integer> ports = new HashMap<>();
        for (String token : ready.split(" ")) {
            int eq = token.indexOf('=');
            if (eq > 0 && token.substring(eq + 1).matches("\\d+")) {
                ports.put(token.substring(0, eq), Integer.parseInt(token.substring(eq + 1)));
            }
        }
        return new NodeProcess(name, ip, process, stderr, ports);
    }

    String name() {
        return name;
    }

    String ip() {
        return ip;
    }

    int port(String which) {
        Integer port = ports.get(which);
        if (port == null) {
            throw new IllegalStateException("node " + name + " reported no " + which + " port: " + ports);
        }
        return port;
    }

    /** The node's log so far (stderr). */
    String log() throws IOException {
        return Files.exists(stderr) ? Files.readString(stderr) : "";
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL, no clean-up by the node. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
