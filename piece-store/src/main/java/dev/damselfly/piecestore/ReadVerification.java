package dev.damselfly.piecestore;

/** When reads check piece bytes against their CRC-32; {@link PieceStoreConfig#readVerification()}. */
public enum ReadVerification {
    /**
     * Every read from disk is checked (buffer reads and regions alike). Reads served from memory (the hot cache,
     * the large pieces just written) get bytes that were checked when they were read or written. Catches content
     * corrupted behind the store's back at any time. Default.
     */
    EVERY_READ,
    /**
     * Only the first read of each piece after an unclean stop (no clean-shutdown marker) is checked;
     * pieces written by this process or present at a clean start are trusted. Faster for large reads, but
     * does not catch corruption that happens while the store is running or between clean runs.
     */
    AFTER_UNCLEAN_STOP
}
