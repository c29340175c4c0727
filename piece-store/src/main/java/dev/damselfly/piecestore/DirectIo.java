package dev.damselfly.piecestore;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct I/O ({@code O_DIRECT}) for whole pieces: their bytes go between the caller's buffer and the disk without
 * passing through the page cache. A node writes gigabytes it may never read again; through the page cache every
 * byte is first copied into newly allocated kernel pages (on a VM, freshly touched memory costs about 2 CPU-seconds
 * per GiB), then written back later. Direct writes cost a fraction of that and leave the page cache to what is read.
 *
 * <p>Only requests aligned to the file system's block size use it: the file position, the length, and the buffer's
 * address (a direct buffer). A piece in an unaligned buffer is first copied into one of a few aligned staging
 * buffers, and a piece that arrives as a stream (from the origin) is gathered whole in an aligned buffer of its own
 * pool before its one write; the last, shorter piece of a task and anything else unaligned goes through the page
 * cache as before.
 * Linux keeps the two paths coherent (a direct write drops cached pages of its range, a direct read first writes
 * back dirty ones). Whether the file system accepts {@code O_DIRECT} at all is probed once when the store opens.
 */
final class DirectIo {
    private static final Logger LOG = LoggerFactory.getLogger(DirectIo.class);
    /** Smallest alignment used, bytes: 4096 (also when the file system reports a smaller block). */
    static final int MIN_ALIGNMENT = 4096;
    /** Aligned staging buffers kept for unaligned pieces, at most: 4 (each held for one copy and one write). */
    static final int STAGING_BUFFERS = 4;
    /**
     * Aligned buffers for pieces streamed in (from the origin), at most: 16 (two tasks at the default 8 origin reads
     * each; 64 MiB with 4 MiB pieces, allocated only as used); each is held while its piece arrives,
     * so they are a pool of their own and never keep the staging buffers from peers' pieces.
     */
    static final int STREAM_BUFFERS = 16;
    /** Largest piece staged or streamed into an aligned buffer, bytes: 16 MiB (larger ones use the page cache). */
    static final int MAX_STAGED_BYTES = 16 << 20;

    private final int alignment;
    private final Pool staging = new Pool(STAGING_BUFFERS);
    private final Pool streams = new Pool(STREAM_BUFFERS);

    private DirectIo(int alignment) {
        this.alignment = alignment;
    }

    /**
     * Probes {@code dir}'s file system with a one-block direct write; empty when {@code O_DIRECT} is refused (the
     * store then uses the page cache only).
     */
    static java.util.Optional<DirectIo> probe(Path dir) {
        Path probe = dir.resolve(".direct-io-probe");
        try {
            Files.createDirectories(dir);
            int block = (int) Math.max(MIN_ALIGNMENT, Files.getFileStore(dir).getBlockSize());
            ByteBuffer b = ByteBuffer.allocateDirect(2 * block).alignedSlice(block);
            b.limit(block);
            try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
                ch.write(b, 0);
                b.clear();
                b.limit(block);
                ch.read(b, 0);
            }
            return java.util.Optional.of(new DirectIo(block));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.info("direct I/O unavailable, pieces go through the page cache: dir={} reason={}", dir, e.toString());
            return java.util.Optional.empty();
        } finally {
            try {
                Files.deleteIfExists(probe);
            } catch (IOException ignored) {
                // a leftover probe file is harmless
            }
        }
    }

    int alignment() {
        return alignment;
    }

    /** A direct buffer of {@code capacity} bytes whose address is aligned for this file system's direct requests. */
    ByteBuffer allocateAligned(int capacity) {
        int blocks = (capacity + alignment - 1) / alignment * alignment;
        ByteBuffer b = ByteBuffer.allocateDirect(blocks + alignment).alignedSlice(alignment);
        return b.limit(capacity).slice();
    }

    /** Opens {@code path} (which exists) for direct reads and writes. */
    static FileChannel open(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
    }

    /** Whether {@code length} bytes at file position {@code position} form an aligned request. */
    boolean alignedRange(long position, int length) {
        return length > 0 && position % alignment == 0 && length % alignment == 0;
    }

    /** Whether {@code b}'s bytes from its position can be used by a direct request as they are. */
    boolean alignedBuffer(ByteBuffer b) {
        return b.isDirect() && b.alignmentOffset(b.position(), alignment) == 0;
    }

    /** An aligned buffer of at least {@code length} bytes (limit = length), or null when none is free. */
    ByteBuffer takeStaging(int length) {
        return staging.take(length);
    }

    void returnStaging(ByteBuffer b) {
        staging.give(b);
    }

    /**
     * An aligned buffer for a piece of {@code length} bytes that arrives as a stream (limit = length), or null when
     * none is free or the piece is too large: the caller then writes it through the page cache.
     */
    ByteBuffer takeStreamBuffer(int length) {
        return streams.take(length);
    }

    void returnStreamBuffer(ByteBuffer b) {
        streams.give(b);
    }

    /** At most {@code max} aligned buffers, reused; the largest piece length asked for so far sets their size. */
    private final class Pool {
        private final int max;
        private final BlockingQueue<ByteBuffer> free;
        private final AtomicInteger allocated = new AtomicInteger();

        Pool(int max) {
            this.max = max;
            this.free = new ArrayBlockingQueue<>(max);
        }

        ByteBuffer take(int length) {
            if (length > MAX_STAGED_BYTES) {
                return null;
            }
            ByteBuffer b = free.poll();
            if (b != null && b.capacity() < length) {
                b = null; // a larger piece length than before: let the small one go
                allocated.decrementAndGet();
            }
            if (b == null) {
                if (allocated.incrementAndGet() > max) {
                    allocated.decrementAndGet();
                    return null;
                }
                b = allocateAligned(length);
            }
            b.clear();
            b.limit(length);
            return b;
        }

        void give(ByteBuffer b) {
            if (!free.offer(b)) {
                allocated.decrementAndGet();
            }
        }
    }
}
