package dev.damselfly.rafs;

/** Chunk bytes whose digest differs from the one in the image metadata. None of the bytes may be used. */
public final class ChunkDigestMismatchException extends RafsException {
    private static final long serialVersionUID = 1L;
    private final String expected;
    private final String actual;
    private final String source;

    public ChunkDigestMismatchException(String source, ChunkRef chunk, String expected, String actual) {
        super("chunk digest mismatch from " + source + " (blob " + chunk.blobIndex() + ", chunk " + chunk.chunkIndex()
                + ", compressed offset " + chunk.compressedOffset() + "): expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
        this.source = source;
    }

    /** Expected digest, lower-case hex. */
    public String expected() {
        return expected;
    }

    /** Digest of what arrived, lower-case hex. */
    public String actual() {
        return actual;
    }

    /** Name of the blob byte source that delivered the chunk. */
    public String source() {
        return source;
    }
}
