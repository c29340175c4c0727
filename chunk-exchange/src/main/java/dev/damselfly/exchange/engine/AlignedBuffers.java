package dev.damselfly.exchange.engine;

import java.nio.ByteBuffer;

/**
 * Direct buffers aligned for the piece store's direct reads ({@code PieceStore#readPieceFromFile}): a piece this
 * process wrote with {@code O_DIRECT} is read back the same way only into a buffer whose address is aligned to the
 * file system's block, so the read goes from the disk into the buffer without filling the page cache.
 */
final class AlignedBuffers {
    /** Address alignment of the buffers: 4096 bytes (the block size of the file systems the store runs on). */
    static final int ALIGNMENT = 4096;

    private AlignedBuffers() {
    }

    /** A direct buffer of at least {@code length} bytes (rounded up to whole blocks), its address aligned. */
    static ByteBuffer allocate(int length) {
        int blocks = (length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        return ByteBuffer.allocateDirect(blocks + ALIGNMENT).alignedSlice(ALIGNMENT);
    }
}
