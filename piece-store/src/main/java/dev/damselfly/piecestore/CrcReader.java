package dev.damselfly.piecestore;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Reads a byte range of a content file into a buffer, in steps of {@link #STEP_BYTES}, and computes its CRC-32 on
 * the way (the read path's only CPU cost besides the copy). {@link CRC32} is a JIT intrinsic (carry-less multiply,
 * vectorized where the CPU has it: about 59 GB/s on the bench machine), so what matters is when the bytes are touched
 * and how the page cache gets filled: each step is checksummed right after its read, while it is still in the CPU's
 * caches, and a piece that is not cached yet (one written with direct I/O) is read in sequential steps, which lets
 * the kernel's read-ahead fill it with large folios. One 4 MiB read at a random offset fills it with small pages
 * instead, and on the bench VM those are read back at about 6.5 GB/s against 17 GB/s for large ones. (JMH, 4 MiB
 * pieces, page cache filled by the store's own reads, two runs each: 256 KiB steps 0.62 and 0.57 of a plain read of
 * a file whose pages its buffered writes filled, 1 MiB steps 0.52 and 0.45; with both files' pages filled by reads,
 * 0.99 and 1.25 with 256 KiB steps, 0.94 and 0.94 with 1 MiB. Handing each step's CRC to a second thread swung
 * between 0.64× and 0.92× with the machine's load, so it is not used: on a busy node the second core is not free.)
 */
final class CrcReader {
    /** Bytes read (and then checksummed) at a time: 256 KiB. */
    static final int STEP_BYTES = 256 << 10;
    /** Bytes of the per-thread direct buffer that region checks read through: one step, 256 KiB. */
    private static final int REGION_BUFFER_BYTES = STEP_BYTES;
    private static final ThreadLocal<ByteBuffer> REGION_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(REGION_BUFFER_BYTES));

    private CrcReader() {
    }

    /**
     * Reads {@code buf.remaining()} bytes at {@code pos} into {@code buf} (its position advances to its limit).
     *
     * @return the CRC-32 of the bytes read if {@code crc} is true, else 0
     * @throws EOFException if the file ends first
     */
    static int read(FileChannel ch, long pos, ByteBuffer buf, boolean crc) throws IOException {
        CRC32 sum = crc ? new CRC32() : null;
        int end = buf.limit();
        try {
            while (buf.position() < end) {
                int stepStart = buf.position();
                buf.limit(Math.min(end, stepStart + STEP_BYTES));
                pos += readFully(ch, pos, buf);
                if (sum != null) {
                    sum.update(buf.duplicate().position(stepStart));
                }
            }
        } finally {
            buf.limit(end);
        }
        return sum == null ? 0 : (int) sum.getValue();
    }

    /** The CRC-32 of {@code length} bytes at {@code pos}, read through a per-thread direct buffer (regions). */
    static int crcOfRange(FileChannel ch, long pos, int length) throws IOException {
        ByteBuffer buf = REGION_BUFFER.get();
        CRC32 crc = new CRC32();
        long end = pos + length;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            pos += readFully(ch, pos, buf);
            buf.flip();
            crc.update(buf);
        }
        return (int) crc.getValue();
    }

    /** Fills {@code buf} from {@code pos}; returns the bytes read. */
    static int readFully(FileChannel ch, long pos, ByteBuffer buf) throws IOException {
        int done = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + done);
            if (n < 0) {
                throw new EOFException("content file ends inside the piece");
            }
            done += n;
        }
        return done;
    }
}
