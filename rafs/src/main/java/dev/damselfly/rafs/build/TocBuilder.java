package dev.damselfly.rafs.build;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Collects the 128-byte TOC entries (§3.7) of the blob sections as they are written. */
final class TocBuilder {
    static final int ENTRY_SIZE = 128;
    static final int FLAG_NONE = 0x1;
    static final int FLAG_ZSTD = 0x2;
    static final int FLAG_LZ4 = 0x4;

    private final java.io.ByteArrayOutputStream entries = new java.io.ByteArrayOutputStream();

    /**
     * @param flags            {@link #FLAG_NONE}, {@link #FLAG_ZSTD} or {@link #FLAG_LZ4}
     * @param name             section name (at most 16 bytes)
     * @param sha256           SHA-256 of the uncompressed section
     * @param compressedOffset offset in the blob
     * @param compressedSize   stored bytes
     * @param uncompressedSize bytes after decompression
     */
    void add(int flags, String name, byte[] sha256, long compressedOffset, long compressedSize, long uncompressedSize) {
        ByteBuffer e = ByteBuffer.allocate(ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        e.putInt(0, flags);
        e.put(8, name.getBytes(StandardCharsets.US_ASCII));
        e.put(24, sha256);
        e.putLong(56, compressedOffset);
        e.putLong(64, compressedSize);
        e.putLong(72, uncompressedSize);
        entries.writeBytes(e.array());
    }

    byte[] bytes() {
        return entries.toByteArray();
    }
}
