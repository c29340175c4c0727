package dev.damselfly.oci;

import java.io.IOException;

/** Content whose digest (or size) differs from the one it was asked for. Nothing of it may be used. */
public final class DigestMismatchException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Digest expected;
    private final String actual;
    private final String source;

    public DigestMismatchException(Digest expected, String actual, String source) {
        super("digest mismatch from " + source + ": expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
        this.source = source;
    }

    public Digest expected() {
        return expected;
    }

    /** The digest computed over what arrived, or a size description when the length was wrong. */
    public String actual() {
        return actual;
    }

    /** Where the bytes came from (a URL or a file). */
    public String source() {
        return source;
    }
}
