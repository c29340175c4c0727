package dev.damselfly.rafs;

import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;

/**
 * One data blob an image refers to, as its bootstrap describes it (v6 blob table entry §1.5; v5 blob table
 * plus extended blob table; for plain EROFS images a device slot with everything else unknown/zero).
 *
 * @param index             position in the image's blob list (EROFS device id − 1)
 * @param blobId            64 hex characters for Nydus blobs; the device tag (possibly empty) for plain EROFS
 * @param chunkSize         bytes per chunk (power of two), 0 if the image does not say
 * @param chunkCount        entries in the blob's chunk-info array
 * @param compression       chunk compression; {@link Compression#NONE} for plain EROFS
 * @param digestAlgorithm   chunk digest algorithm, or null when chunks carry no digest (plain EROFS)
 * @param features          blob feature bits (§1.5; 0 for v5 without extended table)
 * @param compressedSize    blob bytes as known at build time (not necessarily the file size, pitfall §10.5)
 * @param uncompressedSize  size of the blob's uncompressed address space in bytes
 * @param tocSize           bytes of TOC entries + its tar header, 0 if unknown
 * @param ciCompressor      compression of the chunk-info array
 * @param ciOffset          offset of the chunk-info array in the blob
 * @param ciCompressedSize  stored bytes of the chunk-info array
 * @param ciUncompressedSize bytes of the chunk-info array after decompression
 * @param tocDigest         SHA-256 of TOC entries + header (32 bytes, zeros if unknown)
 * @param metaDigest        separate-meta digest or AES key (32 bytes)
 * @param metaSize          separate-meta size or IV bytes 0..7
 * @param cipherIv          IV bytes 8..15 as a little-endian u64
 * @param cipherAlgo        0 none, 1 aes-128-xts
 */
public record BlobInfo(int index, String blobId, long chunkSize, long chunkCount, Compression compression,
                       DigestAlgorithm digestAlgorithm, long features, long compressedSize, long uncompressedSize,
                       long tocSize, Compression ciCompressor, long ciOffset, long ciCompressedSize,
                       long ciUncompressedSize, byte[] tocDigest, byte[] metaDigest, long metaSize, long cipherIv,
                       long cipherAlgo) {

    /** Blob feature: uncompressed chunk offsets 4 KiB aligned. */
    public static final long FEATURE_ALIGNED = 0x1;
    /** Blob feature: per-layer bootstrap inlined in the blob. */
    public static final long FEATURE_INLINED_FS_META = 0x2;
    /** Blob feature: 24-byte chunk-info entries. */
    public static final long FEATURE_CHUNK_INFO_V2 = 0x4;
    /** Blob feature: gzip random-access contexts (data in the original OCI layer). */
    public static final long FEATURE_ZRAN = 0x8;
    /** Blob feature: data lives in another blob. */
    public static final long FEATURE_SEPARATE = 0x10;
    /** Blob feature: blob carries a {@code blob.digest} array. */
    public static final long FEATURE_INLINED_CHUNK_DIGEST = 0x20;
    /** Blob feature: tarfs blob. */
    public static final long FEATURE_TARFS = 0x40;
    /** Blob feature: batch chunks. */
    public static final long FEATURE_BATCH = 0x80;
    /** Blob feature: encrypted chunks. */
    public static final long FEATURE_ENCRYPTED = 0x100;
    /** Blob feature: sections followed by 512-byte tar headers. */
    public static final long FEATURE_HAS_TAR_HEADER = 0x10000000L;
    /** Blob feature: blob ends with a TOC. */
    public static final long FEATURE_HAS_TOC = 0x20000000L;
    /** Blob feature: built by nydus-image ≥ 2.2. */
    public static final long FEATURE_CAP_TAR_TOC = 0x40000000L;

    public boolean has(long feature) {
        return (features & feature) == feature;
    }
}
