package dev.damselfly.piecestore;

/** A RocksDB read or write failed while the store was running. Nothing half-done becomes visible. */
public final class StoreMetadataException extends PieceStoreException {
    private static final long serialVersionUID = 1L;

    public StoreMetadataException(String what, Throwable cause) {
        super("metadata " + what + " failed: " + cause, cause);
    }
}
