package dev.damselfly.rafs.build;

import dev.damselfly.rafs.codec.Compression;

/**
 * What a bootstrap's blob table entry and device slot say about the layer's blob (§1.4, §1.5).
 *
 * @param blobId           64 lower-case hex characters
 * @param features         blob feature bits
 * @param compressedSize   bytes of the blob before the inlined bootstrap (what nydus records, §4.5)
 * @param uncompressedSize size of the uncompressed address space (multiple of 4096)
 * @param ciCompressor     compression of the chunk-info array
 * @param ciOffset         offset of the chunk-info array in the blob
 * @param ciCompressedSize stored bytes of the chunk-info array
 * @param ciUncompressedSize bytes of the chunk-info array after decompression (16 × chunks)
 * @param tocSize          TOC entries + their tar header in bytes, 0 when not known yet (inlined bootstrap)
 * @param tocDigest        SHA-256 of TOC entries + header, 32 zero bytes when not known yet
 */
record BlobDescriptor(String blobId, long features, long compressedSize, long uncompressedSize,
                      Compression ciCompressor, long ciOffset, long ciCompressedSize, long ciUncompressedSize,
                      long tocSize, byte[] tocDigest) {

    BlobDescriptor withIdAndToc(String id, long size, byte[] digest) {
        return new BlobDescriptor(id, features, compressedSize, uncompressedSize, ciCompressor, ciOffset,
                ciCompressedSize, ciUncompressedSize, size, digest);
    }
}
