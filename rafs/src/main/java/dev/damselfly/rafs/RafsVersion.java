package dev.damselfly.rafs;

/** On-disk bootstrap format of an opened image. */
public enum RafsVersion {
    /** RAFS v5 (magic {@code RAFS}, FUSE only, read-only support). */
    V5,
    /** RAFS v6: EROFS with the nydus extended superblock at 1152. */
    V6,
    /** Plain EROFS chunked image (e.g. mkfs.erofs {@code --chunksize --blobdev}): no blob table, raw data. */
    EROFS
}
