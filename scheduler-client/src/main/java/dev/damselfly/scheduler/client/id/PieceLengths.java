package dev.damselfly.scheduler.client.id;

/**
 * Piece geometry (spec §2.8, §3.3). The default piece length is
 * {@code nextPowerOfTwo(floor(contentLength / 500))} clamped to [4 MiB, 64 MiB].
 */
public final class PieceLengths {
    /** Smallest piece length, bytes (4 MiB). */
    public static final long MIN = 4L << 20;
    /** Largest piece length, bytes (64 MiB). */
    public static final long MAX = 64L << 20;
    /** Content length divisor of the default rule. */
    public static final long DIVISOR = 500;

    private PieceLengths() {
    }

    /** Default piece length in bytes for a content length in bytes (≥ 0). */
    public static long forContentLength(long contentLength) {
        if (contentLength < 0) {
            throw new IllegalArgumentException("negative content length " + contentLength);
        }
        long base = contentLength / DIVISOR;
        long p = base <= 1 ? 1 : Long.highestOneBit(base - 1) << 1;
        return Math.max(MIN, Math.min(MAX, p));
    }

    /** Number of pieces: ceil(contentLength / pieceLength). */
    public static long pieceCount(long contentLength, long pieceLength) {
        if (pieceLength <= 0) {
            throw new IllegalArgumentException("piece length must be > 0, was " + pieceLength);
        }
        return (contentLength + pieceLength - 1) / pieceLength;
    }
}
