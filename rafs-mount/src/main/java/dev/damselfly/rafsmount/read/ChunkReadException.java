package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.ChunkRef;
import java.io.IOException;

/**
 * A chunk could not be delivered with verified bytes (every attempt failed: source error, corrupt
 * compression or digest mismatch). The FUSE layer answers the read with {@code EIO}.
 */
public final class ChunkReadException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient ChunkRef chunk;
    private final String source;

    public ChunkReadException(String file, ChunkRef chunk, String source, Throwable cause) {
        super("cannot read " + file + ": chunk " + chunk.chunkIndex() + " of blob " + chunk.blobId()
                + " (compressed offset " + chunk.compressedOffset() + ", " + chunk.compressedSize() + " bytes) from "
                + source + ": " + cause.getMessage(), cause);
        this.chunk = chunk;
        this.source = source;
    }

    /** The chunk that failed. */
    public ChunkRef chunk() {
        return chunk;
    }

    /** The last source tried. */
    public String source() {
        return source;
    }
}
