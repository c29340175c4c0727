package dev.damselfly.rafsmount.fuse;

import java.nio.file.Path;

/** One live read-only FUSE mount, whichever way it talks to the kernel ({@link FuseTransport}). */
public interface FuseSession {
    Path mountpoint();

    /**
     * Detaches the mount and waits for its request loop to end; safe to call more than once. Returns whether the
     * loop has ended (only then may the image behind it be closed).
     */
    boolean unmount();

    /** Blocks until the request loop ends (after {@link #unmount()} or an external unmount). */
    void awaitExit() throws InterruptedException;

    /** Whether the request loop is still running. */
    boolean running();

    /**
     * How this mount talks to the kernel now: {@link FuseTransport#LIBFUSE}, {@link FuseTransport#KERNEL}, or
     * {@link FuseTransport#KERNEL_URING} once its rings serve requests (a {@code KERNEL_URING} mount the kernel gave
     * no rings is {@code KERNEL}). Never {@link FuseTransport#AUTO}.
     */
    FuseTransport transport();

    /** Requests answered through FUSE-over-io_uring ring entries so far (0 when the mount does not use them). */
    default long ringRequests() {
        return 0;
    }
}
