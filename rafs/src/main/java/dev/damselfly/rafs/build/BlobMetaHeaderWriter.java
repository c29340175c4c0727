package dev.damselfly.rafs.build;

import dev.damselfly.rafs.codec.Compression;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The 4 KiB blob-meta header that follows the chunk-info array (§3.5). */
final class BlobMetaHeaderWriter {
    static final int SIZE = 4096;
    static final int MAGIC = 0xB10BB10B;

    private BlobMetaHeaderWriter() {
    }

    static byte[] of(long features, Compression ciCompressor, int entries, long ciOffset, long ciCompressedSize,
                     long ciUncompressedSize) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC);
        b.putInt(4, (int) features);
        b.putInt(8, ciCompressor.code());
        b.putInt(12, entries);
        b.putLong(16, ciOffset);
        b.putLong(24, ciCompressedSize);
        b.putLong(32, ciUncompressedSize);
        b.putInt(SIZE - 4, MAGIC);
        return b.array();
    }
}
