package dev.damselfly.rafs.v6;

/**
 * An 8-byte chunk index entry of a chunk-based inode (§1.8), EROFS {@code {u16 advise, u16 device_id,
 * u32 blkaddr}} reused by nydus to pack a 24-bit chunk-info index.
 *
 * @param advise   raw u16 at 0 (RAFS: low 16 bits of the chunk-info index)
 * @param deviceId raw u16 at 2 (low byte: blob index + 1; RAFS high byte: bits 16–23 of the chunk-info index)
 * @param blkaddr  raw u32 at 4: uncompressed offset in the blob, in blocks
 */
public record ChunkIndexEntry(int advise, int deviceId, long blkaddr) {

    /** EROFS null block address: a hole. */
    public static final long NULL_ADDR = 0xFFFFFFFFL;

    /** Blob index ({@code (deviceId & 0xFF) - 1}; -1 means the primary device). */
    public int blobIndex() {
        return (deviceId & 0xFF) - 1;
    }

    /** RAFS chunk-info index: {@code (deviceId >> 8) << 16 | advise}. */
    public long ciIndex() {
        return ((long) (deviceId >>> 8) << 16) | advise;
    }
}
