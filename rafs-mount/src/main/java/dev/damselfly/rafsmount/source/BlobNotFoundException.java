package dev.damselfly.rafsmount.source;

import java.io.IOException;

/** A {@link BlobSource} does not hold the requested blob. */
public final class BlobNotFoundException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String blobId;
    private final String source;

    public BlobNotFoundException(String source, String blobId, String detail) {
        super("blob " + blobId + " not found in " + source + (detail == null ? "" : ": " + detail));
        this.blobId = blobId;
        this.source = source;
    }

    /** The blob that was asked for. */
    public String blobId() {
        return blobId;
    }

    /** {@link BlobSource#name()} of the source that was asked. */
    public String source() {
        return source;
    }
}
