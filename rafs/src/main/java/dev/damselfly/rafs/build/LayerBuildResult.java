package dev.damselfly.rafs.build;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link LayerBuilder} produced.
 *
 * @param bootstrap        the per-layer bootstrap file written
 * @param blob             the blob file written; null when the blob went only to a stream
 * @param blobId           SHA-256 hex of the whole blob file: the OCI layer digest of the blob, and the id in the
 *                         bootstrap's blob table and device slot (what nydusd fetches, §4.5)
 * @param builderBlobId    SHA-256 hex of the blob bytes before the inlined bootstrap except the chunk digest
 *                         array: the id stored in the blob's inlined {@code image.boot} (nydus-style, §3.3)
 * @param bootstrapSize    bytes of the bootstrap
 * @param blobSize         bytes of the blob file
 * @param chunkDataSize    bytes of chunk data at the start of the blob (compressed; padded in aligned mode)
 * @param uncompressedSize bytes of the blob's uncompressed address space (4 KiB aligned chunks)
 * @param chunkCount       distinct chunks stored
 * @param chunkReferences  chunks referenced by files (the excess over {@code chunkCount} was deduplicated)
 * @param inodeCount       inodes in the bootstrap (hard links count once)
 * @param tarCompression   compression detected on the input tar
 * @param prefetchMissing  paths of {@link LayerBuildOptions#prefetchPaths()} that name nothing in the layer (left
 *                         out of the prefetch table), normalised; empty when all were found
 * @param dictionaryChunkReferences chunk references served by the chunk dictionary instead of the layer's blob
 *                         (included in {@code chunkReferences}); 0 without a dictionary
 * @param dictionaryBlobIds ids of the dictionary blobs the bootstrap references, in blob-table order (they come
 *                         before the layer's own blob, which is the last entry); empty without a dictionary
 */
public record LayerBuildResult(Path bootstrap, Path blob, String blobId, String builderBlobId, long bootstrapSize,
                               long blobSize, long chunkDataSize, long uncompressedSize, long chunkCount,
                               long chunkReferences, long inodeCount, String tarCompression,
                               List<String> prefetchMissing, long dictionaryChunkReferences,
                               List<String> dictionaryBlobIds) {

    /** {@code sha256:<blobId>}. */
    public String blobDigest() {
        return "sha256:" + blobId;
    }
}
