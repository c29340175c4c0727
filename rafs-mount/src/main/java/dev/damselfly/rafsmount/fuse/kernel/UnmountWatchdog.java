package dev.damselfly.rafsmount.fuse.kernel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmounts a kernel-transport mount when the process that serves it dies without unmounting (SIGKILL, a crash), as
 * libfuse's {@code auto_unmount} does through {@code fusermount}. A small shell in its own session holds the read end
 * of a pipe from this JVM; the kernel closes the write end when the JVM dies, however it dies, and the shell then
 * lazily unmounts the mount point if it still holds a {@code fuse.rafs} mount. On a clean unmount the JVM stops the
 * shell first ({@link #stop()}).
 */
final class UnmountWatchdog {
    private static final Logger LOG = LoggerFactory.getLogger(UnmountWatchdog.class);
    /** $1 is the mount point; reads stdin until EOF, then unmounts if the mount is still ours. */
    private static final String SCRIPT = "while read -r _; do :; done; "
            + "if [ \"$(findmnt -n -r -o FSTYPE -M \"$1\" 2>/dev/null)\" = fuse.rafs ]; then exec umount -l -- \"$1\"; fi";

    private final Process process;

    private UnmountWatchdog(Process process) {
        this.process = process;
    }

    /**
     * Starts a watchdog for {@code mountpoint} on a thread of its own: starting a process takes a fresh JVM some
     * milliseconds, which a mount's start need not wait for. It may start before the mount exists: the shell only
     * unmounts what is a {@code fuse.rafs} mount when this JVM has gone. The future always completes: with null when it could not start.
     */
    static CompletableFuture<UnmountWatchdog> startInBackground(Path mountpoint) {
        CompletableFuture<UnmountWatchdog> started = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            UnmountWatchdog w = null;
            try {
                w = start(mountpoint);
            } catch (RuntimeException e) { // e.g. a security manager refusing processes: never leave the future open
                LOG.warn("mount={} no unmount watchdog ({}): if this process is killed, unmount it by hand (umount -l {})",
                        mountpoint, e.toString(), mountpoint);
            } finally {
                started.complete(w);
            }
        }, "unmount-watchdog-start");
        t.setDaemon(true);
        t.start();
        return started;
    }

    /** Stops the watchdog {@code started} holds, if any, once it has started. */
    static void stop(CompletableFuture<UnmountWatchdog> started) {
        UnmountWatchdog w = started.join();
        if (w != null) {
            w.stop();
        }
    }

    /** Starts a watchdog for {@code mountpoint}; null (with a warning) when it cannot start. */
    static UnmountWatchdog start(Path mountpoint) {
        try {
            Process p = new ProcessBuilder("setsid", "/bin/sh", "-c", SCRIPT, "damselfly-unmount-watchdog", mountpoint.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new UnmountWatchdog(p);
        } catch (IOException e) {
            LOG.warn("mount={} no unmount watchdog ({}): if this process is killed, unmount it by hand (umount -l {})",
                    mountpoint, e.toString(), mountpoint);
            return null;
        }
    }

    /** Stops the watchdog without unmounting (the mount is being, or has been, unmounted cleanly). */
    void stop() {
        process.destroy();
    }
}
