package dev.damselfly.rafs.blob;

import java.util.HexFormat;

/**
 * A 128-byte blob TOC entry (§3.7).
 *
 * @param flags            0x1 stored raw, 0x2 zstd, 0x4 lz4_block
 * @param name             section name ({@code image.blob}, {@code blob.meta}, {@code blob.meta.header},
 *                         {@code blob.digest}, {@code image.boot})
 * @param digest           SHA-256 of the uncompressed section (32 bytes)
 * @param compressedOffset offset in the blob
 * @param compressedSize   stored bytes
 * @param uncompressedSize bytes after decompression
 */
public record TocEntry(long flags, String name, byte[] digest, long compressedOffset, long compressedSize,
                       long uncompressedSize) {

    public static final int SIZE = 128;
    public static final long FLAG_NONE = 0x1;
    public static final long FLAG_ZSTD = 0x2;
    public static final long FLAG_LZ4 = 0x4;

    public String digestHex() {
        return HexFormat.of().formatHex(digest);
    }
}
