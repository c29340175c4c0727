package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pin on a task (held by a mount, a proxy response or an upload): while any lease is open the task is
 * never garbage collected, and its content file stays open. Close it when done; closing twice is harmless.
 *
 * <p>The lease also reads: {@link #readPiece(int)}, {@link #readPiece(int, ByteBuffer)} and {@link #region(int)}
 * behave like the store's methods of the same names (same checks, same exceptions) but are bound to the task
 * this lease pinned. If that task is deleted ({@link PieceStore#deleteTask}) while the lease is open, reads by
 * task id on the store fail with {@link TaskNotFoundException}, while the lease's reads keep serving the pieces
 * the task held until the lease is closed. After {@link #close()} they throw {@link PieceStoreException}.
 */
public final class TaskLease implements AutoCloseable {
    private final String taskId;
    private final LeaseReads reads;
    private final Runnable unpin;
    private final AtomicBoolean closed = new AtomicBoolean();

    TaskLease(String taskId, LeaseReads reads, Runnable unpin) {
        this.taskId = taskId;
        this.reads = reads;
        this.unpin = unpin;
    }

    public String taskId() {
        return taskId;
    }

    /** The piece in a new read-only buffer, checked like {@link PieceStore#readPiece(String, int)}. */
    public ByteBuffer readPiece(int number) {
        return reads().read(number);
    }

    /** The piece into {@code dst}, like {@link PieceStore#readPiece(String, int, ByteBuffer)}; returns its length. */
    public int readPiece(int number, ByteBuffer dst) {
        return reads().read(number, dst);
    }

    /** The piece as a file region for zero-copy sends, like {@link PieceStore#region(String, int)}. */
    public PieceRegion region(int number) {
        return reads().region(number);
    }

    /** Whether the pinned task holds piece {@code number}. */
    public boolean hasPiece(int number) {
        return reads().hasPiece(number);
    }

    /** The pinned task's stored pieces (bit i = piece i). */
    public BitSet storedPieces() {
        return reads().storedPieces();
    }

    /** Whether the pinned task was deleted from the store while this lease is open. */
    public boolean taskDeleted() {
        return reads().deleted();
    }

    private LeaseReads reads() {
        if (closed.get()) {
            throw new PieceStoreException("lease on task " + taskId + " is closed");
        }
        return reads;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unpin.run();
        }
    }
}
