package dev.damselfly.peer.cli.mount;

import dev.damselfly.peer.cli.CliEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly umount MOUNTPOINT}: when the local node owns the mount (made with {@code mount --via-node}), asks
 * the node to unmount it ({@code DELETE /api/v1/mounts}); otherwise unmounts the FUSE mount ({@code fusermount -u})
 * and the mounting process then exits.
 */
@Command(name = "umount", description = {"Unmount a damselfly FUSE mount: the node's own mounts through the node, "
        + "others with fusermount -u (their `damselfly mount` process then exits)."})
public final class UmountCommand implements Callable<Integer> {
    /** How long fusermount may take: 30 s. */
    static final long TIMEOUT_SECONDS = 30;

    private final CliEnvironment environment;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "The mount point.")
    private Path mountpoint;

    @Option(names = "--node", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4004",
            description = "Admin address of the local Damselfly node, asked first whether it owns the mount "
                    + "(default ${DEFAULT-VALUE}).")
    private String node;

    @Option(names = "--no-node", description = "Do not ask the node; unmount with fusermount -u.")
    private boolean noNode;

    public UmountCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        String absolute = mountpoint.toAbsolutePath().normalize().toString();
        if (!noNode) {
            Optional<NodeMountClient.Answer> answer = new NodeMountClient(node).unmount(absolute);
            if (answer.isPresent() && answer.get().status() == 200) {
                return 0;
            }
            if (answer.isPresent() && answer.get().status() != 404) {
                environment.err().println("damselfly: the node at " + node + " could not unmount " + absolute + " ("
                        + answer.get().status() + "): " + answer.get().reason());
                return 1;
            }
        }
        return fusermount();
    }

    private int fusermount() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("fusermount", "-u", mountpoint.toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            environment.err().println("damselfly: fusermount -u " + mountpoint + " did not finish in " + TIMEOUT_SECONDS + " s");
            return 1;
        }
        if (process.exitValue() != 0) {
            environment.err().println("damselfly: cannot unmount " + mountpoint + ": " + output);
            return 1;
        }
        return 0;
    }
}
