package dev.damselfly.peer.cli.mount;

import dev.damselfly.peer.cli.CliEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code damselfly umount MOUNTPOINT}: unmounts a FUSE mount ({@code fusermount -u}); the mounting process then exits. */
@Command(name = "umount", description = {"Unmount a damselfly FUSE mount; its `damselfly mount` process then exits."})
public final class UmountCommand implements Callable<Integer> {
    /** How long fusermount may take: 30 s. */
    static final long TIMEOUT_SECONDS = 30;

    private final CliEnvironment environment;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "The mount point.")
    private Path mountpoint;

    public UmountCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
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
