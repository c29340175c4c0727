package dev.damselfly.rafsmount;

import java.io.IOException;
import java.nio.file.Path;

/** A mount that could not start, with the reason as a code (for the CLI) and a sentence. */
public final class MountException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why a mount did not start. */
    public enum Reason {
        /** {@code /dev/fuse} is missing or not accessible. */
        NO_FUSE_DEVICE,
        /** libfuse (Debian package libfuse2) cannot be loaded, or fuse_main failed. */
        FUSE_FAILED,
        /** The mount point does not exist or is not a directory. */
        MOUNTPOINT_NOT_DIRECTORY,
        /** The mount point has entries in it. */
        MOUNTPOINT_NOT_EMPTY,
        /** Something is already mounted there. */
        MOUNTPOINT_BUSY,
        /** The bootstrap cannot be read. */
        BOOTSTRAP_UNREADABLE,
        /** The bootstrap is not a RAFS (v5/v6) or EROFS image. */
        NOT_A_BOOTSTRAP,
        /** The blob cache directory cannot be used (in use elsewhere, or not writable). */
        CACHE_UNAVAILABLE
    }

    private final Reason reason;
    private final transient Path mountpoint;

    public MountException(Reason reason, Path mountpoint, String message, Throwable cause) {
        super("cannot mount at " + mountpoint + ": " + message, cause);
        this.reason = reason;
        this.mountpoint = mountpoint;
    }

    public Reason reason() {
        return reason;
    }

    public Path mountpoint() {
        return mountpoint;
    }
}
