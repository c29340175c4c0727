package dev.damselfly.proxy.intercept;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The interception CA could not be read, generated or used: a missing or unreadable file, PEM that holds no
 * certificate or key, an encrypted key, a certificate that is not a CA or has expired, a key that does not
 * belong to the certificate. Names the file and what is wrong with it.
 */
public final class CaFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public CaFileException(Path file, String problem) {
        super("interception CA file " + file + ": " + problem);
        this.file = file;
    }

    public CaFileException(Path file, String problem, Throwable cause) {
        super("interception CA file " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
