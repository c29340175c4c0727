package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code damselfly mount IMAGE MNT --node NODE:4004} of a Nydus image, running in a lab node's network namespace
 * (so its chunk reads go to that node's admin API: the node's store, then its peers, then the registry) but in the
 * root mount namespace, so the mount is visible to every process. The mount point is a lab mount point
 * ({@link NetworkLab#mountpoint}): if {@link #close()} is never reached, the lab's clean-up unmounts it.
 */
final class LabMount implements AutoCloseable {
    /** How long the mount may take to print {@code mounted …} (JVM start, bootstrap fetch): 120 s. */
    static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(120);
    /** How long the mount process may take to exit after its unmount: 20 s (then SIGTERM, SIGKILL). */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);

    private static final Logger LOG = LoggerFactory.getLogger(LabMount.class);

    private final LabNode node;
    private final Path mountpoint;
    private final LabProcess process;

    private LabMount(LabNode node, Path mountpoint, LabProcess process) {
        this.node = node;
        this.mountpoint = mountpoint;
        this.process = process;
    }

    /**
     * Starts the mount and waits until it serves.
     *
     * @param jar      the damselfly jar
     * @param image    {@code HOST:PORT/REPO:TAG} of the Nydus image in the lab registry (plain HTTP)
     * @param dir      this mount's directory (mount point, bootstrap, chunk cache, log)
     * @throws LabException with the mount's log when it does not come up
     */
    static LabMount start(NetworkLab lab, LabNode node, Path jar, String image, String registryHostPort, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Path mnt = lab.mountpoint(dir, node.host());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "mount", image, mnt.toString(),
                "--node", node.host().ip() + ":" + LabNode.ADMIN_PORT, "--plain-http", registryHostPort,
                "--work-dir", dir.resolve("work").toString(), "--cache-dir", dir.resolve("cache").toString()));
        LabProcess p = LabProcess.startNetworkOnly(lab, node.host(), "mount-" + node.name(), cmd, dir.resolve("mount.err"),
                "mounted ", null);
        String line = p.awaitReady(MOUNT_TIMEOUT);
        LOG.info("lab mount ready host={} mountpoint={} line={}", node.name(), mnt, line);
        return new LabMount(node, mnt, p);
    }

    Path mountpoint() {
        return mountpoint;
    }

    /**
     * Whether the mount reads chunks through its node: it says so at start when the node's admin API answered its
     * reachability probe; otherwise it reads from the registry directly.
     */
    boolean throughNode() {
        return process.log().contains("reading chunks through the node");
    }

    /** The mount's log so far (stderr). */
    String log() {
        return process.log();
    }

    /**
     * Stops the mount the documented way (SIGTERM: the process unmounts and exits; SIGKILL after
     * {@link #EXIT_TIMEOUT}), then lazily unmounts the mount point if it is still mounted (a killed process).
     */
    @Override
    public void close() {
        process.stop(EXIT_TIMEOUT);
        boolean left = mounted();
        if (left) {
            Shell.tryRun("umount", "-l", mountpoint.toString());
        }
        LOG.info("lab mount removed host={} mountpoint={} lazy_unmount={}", node.name(), mountpoint, left);
    }

    private boolean mounted() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mountpoint + " ");
        } catch (IOException e) {
            return true;
        }
    }
}
