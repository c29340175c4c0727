package dev.damselfly.testkit.containerd;

import dev.damselfly.testkit.support.ShutdownSafetyNet;
import dev.damselfly.testkit.support.TempDirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private containerd (Debian package {@code containerd}): root, state, socket and config in a
 * temporary directory, the CRI plugin disabled, namespace {@value #NAMESPACE}. {@link #ctr} runs the
 * real {@code ctr} against it. {@link #close()} stops the daemon, unmounts anything left under its root
 * and deletes the directory.
 */
public final class ContainerdDaemon implements AutoCloseable {
    /** The containerd binary. */
    public static final String BINARY = "/usr/bin/containerd";
    /** The ctr binary. */
    public static final String CTR = "/usr/bin/ctr";
    /** Namespace every ctr call of the tests uses. */
    public static final String NAMESPACE = "damselfly-test";
    /** How long containerd may take to answer {@code ctr version}: 30 s. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Path socket;
    private final Process process;
    private volatile boolean closed;

    private ContainerdDaemon(Path dir, Path socket, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.process = process;
    }

    /** Starts a daemon and waits until {@code ctr version} answers. */
    public static ContainerdDaemon start() {
        if (!Files.isExecutable(Path.of(BINARY)) || !Files.isExecutable(Path.of(CTR))) {
            throw new ContainerdException("containerd is not installed (" + BINARY + "); run scripts/setup", null);
        }
        Path dir = TempDirs.create("damselfly-containerd-");
        Path socket = dir.resolve("containerd.sock");
        String config = "version = 2\n"
                + "root = \"" + dir.resolve("root") + "\"\n"
                + "state = \"" + dir.resolve("state") + "\"\n"
                + "disabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n"
                + "[grpc]\n  address = \"" + socket + "\"\n"
                + "[ttrpc]\n  address = \"" + dir.resolve("containerd.sock.ttrpc") + "\"\n"
                + "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"" + dir.resolve("opt") + "\"\n";
        try {
            Path configFile = dir.resolve("config.toml");
            Files.writeString(configFile, config, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(BINARY, "--config", configFile.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
            ContainerdDaemon daemon = new ContainerdDaemon(dir, socket, process);
            ShutdownSafetyNet.register(daemon);
            daemon.awaitReady();
            return daemon;
        } catch (IOException e) {
            TempDirs.deleteRecursively(dir);
            throw new ContainerdException("cannot start containerd in " + dir, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String log = log();
                close();
                throw new ContainerdException("containerd exited early:\n" + log, null);
            }
            if (Files.exists(socket) && ctr(Duration.ofSeconds(5), "version").exitCode() == 0) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerdException("interrupted while starting containerd", e);
            }
        }
        String log = log();
        close();
        throw new ContainerdException("containerd did not answer within " + START_TIMEOUT + ":\n" + log, null);
    }

    /** The daemon's gRPC socket. */
    public Path socket() {
        return socket;
    }

    /** A directory for test files (hosts.toml trees and the like) that goes away with the daemon. */
    public Path workDir() {
        return dir;
    }

    /** What ctr printed and its exit code. */
    public record Result(int exitCode, String output) {
    }

    /** Runs {@code ctr -a SOCKET -n NAMESPACE ARGS} with a 5-minute limit. */
    public Result ctr(String... args) {
        return ctr(Duration.ofMinutes(5), args);
    }

    private Result ctr(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of(CTR, "-a", socket.toString(), "-n", NAMESPACE));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "ctr-", ".out");
            Process ctr = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!ctr.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ctr.destroyForcibly().waitFor();
                return new Result(-1, "ctr " + String.join(" ", args) + " timed out after " + timeout + "\n" + Files.readString(out));
            }
            String output = Files.readString(out);
            Files.deleteIfExists(out);
            return new Result(ctr.exitValue(), output);
        } catch (IOException e) {
            throw new ContainerdException("cannot run ctr " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerdException("interrupted while running ctr", e);
        }
    }

    /** containerd's own log so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("containerd.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        unmountBelow(dir);
        TempDirs.deleteRecursively(dir);
        ShutdownSafetyNet.unregister(this);
    }

    /** Lazily unmounts every mount point below {@code root}, deepest first. */
    private static void unmountBelow(Path root) {
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && fields[4].startsWith(root.toString())) {
                    points.add(fields[4]);
                }
            }
            points.sort(Comparator.comparingInt(String::length).reversed());
            for (String point : points) {
                new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            // Best effort: a mount we cannot see or remove shows up as a delete failure below.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
