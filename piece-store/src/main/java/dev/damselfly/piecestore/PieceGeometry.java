package dev.damselfly.piecestore;

/**
 * Dragonfly piece geometry (spec §2.8): piece {@code i} starts at {@code i × pieceLength}; there are
 * {@code ceil(contentLength / pieceLength)} pieces and the last one is shorter when the content length
 * is not a multiple of the piece length. An empty task has no pieces.
 */
public final class PieceGeometry {
    /** Largest piece length accepted, in bytes: 1 GiB (pieces are handed out as one {@code ByteBuffer}). */
    public static final int MAX_PIECE_LENGTH = 1 << 30;

    private PieceGeometry() {
    }

    /** Number of pieces of a task. */
    public static int pieceCount(long contentLength, int pieceLength) {
        long n = (contentLength + pieceLength - 1) / pieceLength;
        if (n > Integer.MAX_VALUE) {
            throw new InvalidPieceException("content length " + contentLength + " needs more than 2^31-1 pieces of "
                    + pieceLength + " bytes");
        }
        return (int) n;
    }

    /** Byte offset of piece {@code number} in the task's content. */
    public static long offset(int number, int pieceLength) {
        return (long) number * pieceLength;
    }

    /** Length in bytes of piece {@code number}; the caller checks that the number is in range. */
    public static int length(int number, long contentLength, int pieceLength) {
        long start = offset(number, pieceLength);
        return (int) Math.min(pieceLength, contentLength - start);
    }

    /** Piece number containing content byte {@code position}. */
    public static int pieceAt(long position, int pieceLength) {
        return (int) (position / pieceLength);
    }
}
