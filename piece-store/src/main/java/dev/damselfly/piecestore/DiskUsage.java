package dev.damselfly.piecestore;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the store holds, in the two measures it keeps: <em>stored bytes</em> (bytes of committed pieces, what
 * {@link PieceStore#storedBytes()} and the {@code stored.bytes} gauge report) and <em>used bytes</em> (what the
 * disk budget counts: the file-system blocks the content files occupy).
 *
 * <p>Used bytes are the blocks covered by the committed pieces of live tasks (one sparse file per task, so a
 * block is allocated exactly when a written byte lies in it; a piece length that is not a multiple of the block
 * size, or a short last piece, costs up to one block more than its bytes) plus the blocks of deleted tasks
 * whose content file is still held open by a lease, a read or a region (unlinked, but the kernel keeps its
 * blocks until the last descriptor closes). They are computed from the store's own records and the file
 * system's block size, never by scanning content.
 *
 * <p>Not counted against the budget: the RocksDB files under {@code metadata/}, reported separately by
 * {@link #metadataBytes()} (about 100–200 bytes per piece record once compacted, plus a write-ahead log of about
 * that much per commit until the next memtable flush, plus at most 3 info logs; measured in
 * {@code DiskUsageTest}), the file system's own blocks for a file's block map (ext4: none up to 4 extents, then one
 * 4 KiB block per about 340 extents), and bytes a failed write left without a record (at most one piece per piece number, overwritten by
 * the next write of that piece). Choose the budget with that headroom below the partition's size.
 */
final class DiskUsage {
    /** Block size assumed when the file system does not tell: 4096 bytes. */
    static final int DEFAULT_BLOCK_SIZE = 4096;

    private final int blockSize;
    private final Path metadataDir;
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicLong storedPieces = new AtomicLong();
    private final AtomicLong contentBytes = new AtomicLong();
    private final AtomicLong releasingBytes = new AtomicLong();

    DiskUsage(int blockSize, Path metadataDir) {
        if (blockSize <= 0 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two: " + blockSize);
        }
        this.blockSize = blockSize;
        this.metadataDir = metadataDir;
    }

    /** The block size of the file system holding {@code dir}, or {@link #DEFAULT_BLOCK_SIZE}. */
    static int blockSizeOf(Path dir) {
        try {
            long b = Files.getFileStore(dir).getBlockSize();
            return b > 0 && b <= (1 << 20) && Long.bitCount(b) == 1 ? (int) b : DEFAULT_BLOCK_SIZE;
        } catch (IOException | UnsupportedOperationException e) {
            return DEFAULT_BLOCK_SIZE;
        }
    }

    int blockSize() {
        return blockSize;
    }

    /** A committed piece was installed: {@code allocated} = blocks it added to its file, in bytes. */
    void added(int pieceBytes, long allocated) {
        storedBytes.addAndGet(pieceBytes);
        storedPieces.incrementAndGet();
        contentBytes.addAndGet(allocated);
    }

    /** A committed piece was dropped: {@code allocated} = blocks no other piece of its file covers, in bytes. */
    void removed(int pieceBytes, long allocated) {
        storedBytes.addAndGet(-pieceBytes);
        storedPieces.decrementAndGet();
        contentBytes.addAndGet(-allocated);
    }

    /**
     * A task left the index: its pieces no longer count as stored, but its blocks stay used until
     * {@link #released(long)} (the content file's last descriptor closed).
     */
    void taskRemoved(long pieceBytes, int pieces, long allocated) {
        storedBytes.addAndGet(-pieceBytes);
        storedPieces.addAndGet(-pieces);
        contentBytes.addAndGet(-allocated);
        releasingBytes.addAndGet(allocated);
    }

    void released(long allocated) {
        releasingBytes.addAndGet(-allocated);
    }

    long storedBytes() {
        return storedBytes.get();
    }

    long storedPieces() {
        return storedPieces.get();
    }

    /** Bytes the disk budget counts: blocks of live content plus blocks of deleted content still held open. */
    long usedBytes() {
        return contentBytes.get() + releasingBytes.get();
    }

    /** Blocks of deleted tasks' content files that are unlinked but still open. */
    long releasingBytes() {
        return releasingBytes.get();
    }

    /**
     * Apparent size of the files in the metadata directory (RocksDB's tables, write-ahead logs, manifest and info
     * logs), in bytes; 0 when it cannot be listed.
     */
    long metadataBytes() {
        long sum = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(metadataDir)) {
            for (Path f : files) {
                try {
                    sum += Files.size(f);
                } catch (IOException e) {
                    // a file RocksDB just deleted
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return sum;
    }
}
