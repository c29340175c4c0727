package dev.damselfly.rafs.chunk;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;

/**
 * An 80-byte bootstrap chunk record (§1.12).
 *
 * @param digest             32-byte digest of the uncompressed chunk
 * @param blobIndex          blob the chunk is stored in
 * @param flags              {@link #FLAG_COMPRESSED}, 0x2 hole, {@link #FLAG_ENCRYPTED}, {@link #FLAG_BATCH}, 0x10 has CRC32
 * @param compressedSize     stored bytes
 * @param uncompressedSize   bytes after decompression
 * @param compressedOffset   offset in the blob file
 * @param uncompressedOffset offset in the blob's uncompressed space
 * @param fileOffset         offset in the first file that produced the chunk (informational)
 * @param index              chunk-info index in the blob
 * @param crc32              CRC-32C of the uncompressed chunk when flag 0x10
 */
public record ChunkRecord(byte[] digest, long blobIndex, long flags, long compressedSize, long uncompressedSize,
                          long compressedOffset, long uncompressedOffset, long fileOffset, long index, long crc32) {

    /** Record size in bytes. */
    public static final int SIZE = 80;
    public static final long FLAG_COMPRESSED = 0x1;
    public static final long FLAG_ENCRYPTED = 0x4;
    public static final long FLAG_BATCH = 0x8;
    public static final long FLAG_HAS_CRC32 = 0x10;

    /** Reads the record at {@code offset}. */
    public static ChunkRecord read(ByteRegion r, long offset) throws RafsFormatException {
        r.check(offset, SIZE, "chunk record");
        return new ChunkRecord(r.bytes(offset, 32), r.u32(offset + 32), r.u32(offset + 36), r.u32(offset + 40),
                r.u32(offset + 44), r.u64(offset + 48), r.u64(offset + 56), r.u64(offset + 64), r.u32(offset + 72),
                r.u32(offset + 76));
    }

    public boolean compressed() {
        return (flags & FLAG_COMPRESSED) != 0;
    }
}
