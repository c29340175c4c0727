package dev.damselfly.rafs.blob;

/**
 * One decoded chunk-info entry (§3.4).
 *
 * @param index              position in the array
 * @param compressedOffset   offset in the blob file
 * @param compressedSize     stored bytes (0 for batch members)
 * @param uncompressedOffset offset in the uncompressed space (4 KiB aligned)
 * @param uncompressedSize   bytes after decompression
 * @param compressed         stored compressed
 * @param flags              V2 flag byte (0x01 compressed, 0x02 zran, 0x04 batch, 0x08 encrypted, 0x10 crc32); V1: 0/1
 * @param data               V2 third word (zran/batch locator or CRC-32C), 0 for V1
 */
public record ChunkInfo(long index, long compressedOffset, long compressedSize, long uncompressedOffset,
                        long uncompressedSize, boolean compressed, int flags, long data) {
}
