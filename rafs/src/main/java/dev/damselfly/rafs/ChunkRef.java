package dev.damselfly.rafs;

import java.util.HexFormat;

/**
 * Where one chunk of a regular file lives, and how to turn it back into file bytes.
 *
 * @param fileOffset         offset of the chunk's first byte within the file (multiple of the chunk size)
 * @param blobIndex          index in {@link RafsImage#blobs()}
 * @param blobId             the blob's id (64 hex characters for Nydus; empty for plain EROFS devices)
 * @param chunkIndex         position in the blob's chunk-info array (v6), or the v5 record index; -1 if none
 * @param compressedOffset   byte offset of the stored chunk in the blob file
 * @param compressedSize     stored bytes
 * @param uncompressedOffset offset in the blob's uncompressed address space (4 KiB aligned in v6)
 * @param uncompressedSize   bytes after decompression (= the chunk's length in the file)
 * @param compressed         whether the stored bytes must be decompressed (false when compression did not help)
 * @param digest             digest of the uncompressed bytes (32 bytes), or null when the image has none
 * @param hole               an EROFS null block: the chunk reads as zeros and has no stored bytes
 */
public record ChunkRef(long fileOffset, int blobIndex, String blobId, long chunkIndex,
                       long compressedOffset, long compressedSize, long uncompressedOffset, long uncompressedSize,
                       boolean compressed, byte[] digest, boolean hole) {

    /** {@link #digest()} as lower-case hex, or null. */
    public String digestHex() {
        return digest == null ? null : HexFormat.of().formatHex(digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkRef c && fileOffset == c.fileOffset && blobIndex == c.blobIndex
                && chunkIndex == c.chunkIndex && compressedOffset == c.compressedOffset
                && compressedSize == c.compressedSize && uncompressedOffset == c.uncompressedOffset
                && uncompressedSize == c.uncompressedSize && compressed == c.compressed && hole == c.hole
                && java.util.Arrays.equals(digest, c.digest) && blobId.equals(c.blobId);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(compressedOffset) * 31 + Long.hashCode(fileOffset);
    }

    @Override
    public String toString() {
        return "ChunkRef[file@" + fileOffset + " blob " + blobIndex + " ci " + chunkIndex + " c@" + compressedOffset
                + "+" + compressedSize + " u@" + uncompressedOffset + "+" + uncompressedSize
                + (compressed ? " compressed" : "") + (hole ? " hole" : "") + "]";
    }
}
