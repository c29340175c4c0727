package dev.damselfly.rafs.v5;

/**
 * One v5 blob table entry with its extended entry (§2).
 *
 * @param readaheadOffset  bytes
 * @param readaheadSize    bytes
 * @param blobId           blob id string
 * @param chunkCount       from the extended table (0 if absent)
 * @param features         from the extended table
 * @param uncompressedSize bytes, from the extended table
 * @param compressedSize   bytes, from the extended table
 */
public record V5BlobEntry(long readaheadOffset, long readaheadSize, String blobId, long chunkCount, long features,
                          long uncompressedSize, long compressedSize) {
}
