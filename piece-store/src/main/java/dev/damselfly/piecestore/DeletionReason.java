package dev.damselfly.piecestore;

/** Why a task left the store; passed to {@link TaskDeletionListener}. */
public enum DeletionReason {
    /** {@link PieceStore#deleteTask} was called. */
    EXPLICIT,
    /** Evicted as least recently used because the disk budget's high watermark was crossed. */
    QUOTA,
    /** Not accessed for longer than {@link PieceStoreConfig#taskTtl()}. */
    TTL,
    /** Its content file disappeared from disk. */
    CONTENT_MISSING
}
