package dev.damselfly.piecestore;

/**
 * Piece bytes do not match their digest: on write (the bytes offered disagree with the expected
 * digest, nothing is stored) or on read (the bytes on disk changed behind the store's back; the
 * piece has been dropped and will be reported missing from now on).
 */
public final class DigestMismatchException extends PieceStoreException {
    private static final long serialVersionUID = 1L;
    private final String taskId;
    private final int pieceNumber;
    private final String expected;
    private final String actual;

    public DigestMismatchException(String taskId, int pieceNumber, String expected, String actual, String where) {
        super("digest mismatch for task " + taskId + " piece " + pieceNumber + " (" + where + "): expected "
                + expected + ", actual " + actual);
        this.taskId = taskId;
        this.pieceNumber = pieceNumber;
        this.expected = expected;
        this.actual = actual;
    }

    public String taskId() {
        return taskId;
    }

    public int pieceNumber() {
        return pieceNumber;
    }

    /** The digest the piece should have, e.g. {@code crc32:3632233996}. */
    public String expected() {
        return expected;
    }

    /** The digest of the bytes actually seen, in the same algorithm as {@link #expected()}. */
    public String actual() {
        return actual;
    }
}
