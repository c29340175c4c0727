package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import dev.damselfly.piecestore.RecordCodec.TaskRecord;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The in-memory view of one task: its geometry, committed pieces, which of them were checked against their
 * digest in this process, its pins, last access and content file. Loaded from RocksDB at start (records
 * only; content is never scanned) and kept in step with every commit.
 */
final class TaskState {
    final String taskId;
    final long contentLength;
    final int pieceLength;
    final int pieceCount;
    final long createdAtMillis;
    final ContentFile content;
    /** Held while committing or deleting, never by readers. */
    final Object commitLock = new Object();
    private final AtomicReferenceArray<PieceRecord> pieces;
    private final AtomicIntegerArray verified;
    /** 1 where this process last wrote the piece with direct I/O (so the page cache does not hold it). */
    private final AtomicIntegerArray writtenDirect;
    private final AtomicLong lastAccessMillis;
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicInteger storedPieces = new AtomicInteger();
    /** File-system blocks (in bytes) the committed pieces cover; see {@link DiskUsage}. */
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final AtomicInteger pins = new AtomicInteger();
    private volatile boolean deleted;

    TaskState(String taskId, TaskRecord record, ContentFile content) {
        this.taskId = taskId;
        this.contentLength = record.contentLength();
        this.pieceLength = record.pieceLength();
        this.pieceCount = PieceGeometry.pieceCount(contentLength, pieceLength);
        this.createdAtMillis = record.createdAtMillis();
        this.lastAccessMillis = new AtomicLong(record.lastAccessMillis());
        this.content = content;
        this.pieces = new AtomicReferenceArray<>(pieceCount);
        this.verified = new AtomicIntegerArray(pieceCount);
        this.writtenDirect = new AtomicIntegerArray(pieceCount);
    }

    TaskRecord record() {
        return new TaskRecord(contentLength, pieceLength, createdAtMillis, lastAccessMillis.get());
    }

    PieceRecord piece(int number) {
        return pieces.get(number);
    }

    /** Installs a committed piece; returns false if one was already there. */
    boolean install(PieceRecord p, boolean trusted) {
        if (!pieces.compareAndSet(p.number(), null, p)) {
            return false;
        }
        verified.set(p.number(), trusted ? 1 : 0);
        storedBytes.addAndGet(p.length());
        storedPieces.incrementAndGet();
        return true;
    }

    /**
     * Bytes of the file-system blocks that piece {@code number}'s range covers and no other committed piece of this
     * task touches: what installing it added to the file, or what dropping it frees. Call under
     * {@link #commitLock} (or before the task is shared); the piece itself may or may not be installed.
     */
    long blocksOnlyIn(int number, int blockSize) {
        int length = lengthOf(number);
        if (length == 0) {
            return 0;
        }
        long start = offsetOf(number);
        long firstBlock = start / blockSize;
        long lastBlock = (start + length - 1) / blockSize;
        long blocks = lastBlock - firstBlock + 1;
        if (sharesBlock(firstBlock, number, blockSize)) {
            blocks--;
        }
        if (lastBlock != firstBlock && sharesBlock(lastBlock, number, blockSize)) {
            blocks--;
        }
        return blocks * blockSize;
    }

    /** Whether a committed piece other than {@code number} has bytes in block {@code block}. */
    private boolean sharesBlock(long block, int number, int blockSize) {
        long from = block * blockSize;
        long to = Math.min((block + 1) * blockSize, contentLength);
        int first = PieceGeometry.pieceAt(from, pieceLength);
        int last = PieceGeometry.pieceAt(to - 1, pieceLength);
        for (int i = first; i <= last; i++) {
            if (i != number && pieces.get(i) != null) {
                return true;
            }
        }
        return false;
    }

    void addAllocated(long bytes) {
        allocatedBytes.addAndGet(bytes);
    }

    /** Bytes of file-system blocks the committed pieces cover (what the disk budget counts for this task). */
    long allocatedBytes() {
        return allocatedBytes.get();
    }

    int pins() {
        return pins.get();
    }

    /** Removes a piece (dropped as corrupt); returns its record or null if it was not there. */
    PieceRecord uninstall(int number) {
        PieceRecord p = pieces.getAndSet(number, null);
        if (p != null) {
            storedBytes.addAndGet(-p.length());
            storedPieces.decrementAndGet();
        }
        return p;
    }

    boolean isVerified(int number) {
        return verified.get(number) == 1;
    }

    void markVerified(int number) {
        verified.set(number, 1);
    }

    /** Whether this process last wrote the piece with direct I/O (false after a restart: unknown). */
    boolean writtenDirect(int number) {
        return writtenDirect.get(number) == 1;
    }

    /** Records how the piece's bytes were just written: with direct I/O or through the page cache. */
    void markWritten(int number, boolean direct) {
        writtenDirect.set(number, direct ? 1 : 0);
    }

    long offsetOf(int number) {
        return PieceGeometry.offset(number, pieceLength);
    }

    int lengthOf(int number) {
        return PieceGeometry.length(number, contentLength, pieceLength);
    }

    void checkNumber(int number) {
        if (number < 0 || number >= pieceCount) {
            throw new InvalidPieceException("task " + taskId + " has pieces 0.." + (pieceCount - 1) + ", not "
                    + number);
        }
    }

    void touch(long nowMillis) {
        lastAccessMillis.accumulateAndGet(nowMillis, Math::max);
    }

    long lastAccessMillis() {
        return lastAccessMillis.get();
    }

    long storedBytes() {
        return storedBytes.get();
    }

    int storedPieces() {
        return storedPieces.get();
    }

    void pin() {
        pins.incrementAndGet();
    }

    void unpin() {
        pins.decrementAndGet();
    }

    boolean pinned() {
        return pins.get() > 0;
    }

    boolean deleted() {
        return deleted;
    }

    void markDeleted() {
        deleted = true;
    }

    /** Undoes {@link #markDeleted()} when GC finds the task pinned after all (under {@link #commitLock}). */
    void unmarkDeleted() {
        deleted = false;
    }

    TaskInfo info() {
        return new TaskInfo(taskId, contentLength, pieceLength, pieceCount, storedPieces(), storedBytes(),
                Instant.ofEpochMilli(createdAtMillis), Instant.ofEpochMilli(lastAccessMillis()), pinned());
    }
}
