package dev.damselfly.piecestore;

/**
 * A reader that goes through a task's pieces in order, registered with {@link PieceStore#follow}: the large pieces
 * the store keeps in memory after writing them stay there ahead of others until the follower has passed them, so the
 * reader gets them from memory instead of reading them back from the content file; and a download can keep pace with
 * the reader ({@link PieceStore#followerPlaces}). Close it when the reader ends
 * (later calls do nothing); {@link #moveTo} after close does nothing either.
 */
public interface PieceFollower extends AutoCloseable {
    /** The reader will not read pieces before {@code nextPiece} any more (a smaller value than before is ignored). */
    void moveTo(int nextPiece);

    @Override
    void close();

    /** A follower of nothing: for an empty range. */
    PieceFollower NONE = new PieceFollower() {
        @Override
        public void moveTo(int nextPiece) {
        }

        @Override
        public void close() {
        }
    };
}
