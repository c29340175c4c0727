package dev.damselfly.rafsmount.cache;

import java.io.IOException;
import java.nio.file.Path;

/** Another user (process or mount) holds the lock of a blob cache directory. */
public final class CacheBusyException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path directory;

    public CacheBusyException(Path directory) {
        super("blob cache directory " + directory + " is in use by another mount or process (lock file "
                + directory.resolve(BlobCache.LOCK_FILE) + ")");
        this.directory = directory;
    }

    public Path directory() {
        return directory;
    }
}
