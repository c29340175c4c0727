package dev.damselfly.oci;

import java.io.IOException;

/** Manifest or index bytes that are not valid JSON of a known shape. */
public final class ManifestFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ManifestFormatException(String where, String reason, Throwable cause) {
        super("bad manifest from " + where + ": " + reason, cause);
    }
}
