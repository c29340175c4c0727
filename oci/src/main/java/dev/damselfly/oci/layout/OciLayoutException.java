package dev.damselfly.oci.layout;

import java.io.IOException;
import java.nio.file.Path;

/** A layout directory that is missing, malformed, or lacks the image or blob asked for. */
public final class OciLayoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public OciLayoutException(Path directory, String message) {
        super("OCI layout " + directory + ": " + message);
    }
}
