package dev.damselfly.rafsmount.fuse;

import java.io.IOException;
import java.nio.file.Path;

/** libfuse could not mount, or did not come up in time. */
public final class FuseMountException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path mountpoint;

    public FuseMountException(Path mountpoint, String reason, Throwable cause) {
        super("cannot mount " + mountpoint + ": " + reason, cause);
        this.mountpoint = mountpoint;
    }

    public Path mountpoint() {
        return mountpoint;
    }
}
