package dev.damselfly.oci.registry;

/**
 * A byte range of a blob, as in an HTTP {@code Range} header: {@code [offset, offset+length)},
 * an open end ({@code offset-}), or the last {@code length} bytes (a suffix range).
 *
 * @param offset first byte (0-based), or -1 for a suffix range
 * @param length bytes wanted, or -1 for "to the end"
 */
public record ByteRange(long offset, long length) {

    public ByteRange {
        if (offset < -1 || length < -1 || (offset == -1 && length <= 0) || length == 0) {
            throw new IllegalArgumentException("bad byte range offset=" + offset + " length=" + length);
        }
    }

    /** {@code length} bytes starting at {@code offset}. */
    public static ByteRange of(long offset, long length) {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("range needs offset >= 0 and length > 0, got " + offset + "+" + length);
        }
        return new ByteRange(offset, length);
    }

    /** From {@code offset} to the end of the blob. */
    public static ByteRange from(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("range offset must be >= 0, got " + offset);
        }
        return new ByteRange(offset, -1);
    }

    /** The last {@code length} bytes. */
    public static ByteRange suffix(long length) {
        return new ByteRange(-1, length);
    }

    public boolean isSuffix() {
        return offset == -1;
    }

    /** The {@code Range} header value. */
    public String header() {
        if (isSuffix()) {
            return "bytes=-" + length;
        }
        return "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
    }

    @Override
    public String toString() {
        return header();
    }
}
