package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceFollower;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskLease;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/**
 * A blocking reader's place in the bytes {@code [offset, offset+length)} of a task: the position, the piece it falls
 * in, the wait for that piece, the lease that pins the task until closed, and a {@link PieceFollower} so that the
 * pieces ahead of the position that the store keeps in memory stay there until read. {@link PieceInputStream}
 * (bytes) and {@link PieceRegionStream} (file regions) read through one. Not thread-safe, except {@link #close()}.
 */
final class PieceCursor {
    final String taskId;
    final long pieceLength;
    final TaskLease lease;
    private final long end;
    private final IntFunction<CompletableFuture<Void>> await;
    private final PieceFollower follower;
    private long position;
    private int followerPiece;
    private volatile boolean closed;

    /** @param await the future of a piece, asking for it first when it is not stored */
    PieceCursor(PieceStore store, String taskId, long pieceLength, long offset, long length,
                IntFunction<CompletableFuture<Void>> await) {
        this.taskId = taskId;
        this.pieceLength = pieceLength;
        this.position = offset;
        this.end = offset + length;
        this.await = await;
        this.lease = store.pin(taskId);
        this.followerPiece = piece();
        this.follower = length <= 0 ? PieceFollower.NONE
                : store.follow(taskId, followerPiece, (int) ((end - 1) / pieceLength));
    }

    /** @throws IOException naming {@code what} once the reader was closed */
    void checkOpen(String what) throws IOException {
        if (closed) {
            throw new IOException(what + " of task " + taskId + " is closed");
        }
    }

    /** Bytes left in the range. */
    long remaining() {
        return end - position;
    }

    /** The piece the position falls in. */
    int piece() {
        return (int) (position / pieceLength);
    }

    /** The position counted from the start of its piece. */
    long inPiece() {
        return position - piece() * pieceLength;
    }

    void advance(long bytes) {
        position += bytes;
        int now = piece();
        if (now != followerPiece) { // once per piece, not per read
            followerPiece = now;
            follower.moveTo(now);
        }
    }

    /**
     * Blocks until piece {@code n} is stored.
     *
     * @throws InterruptedIOException when interrupted (the interrupt flag is set again)
     * @throws IOException            when the piece cannot be had (the download failed), with the cause
     */
    void awaitPiece(int n) throws IOException {
        try {
            await.apply(n).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for piece " + n + " of task " + taskId);
        } catch (ExecutionException e) {
            throw new IOException("piece " + n + " of task " + taskId + " is unavailable: " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    /** Releases the lease, once; false when already closed. */
    boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        follower.close();
        lease.close();
        return true;
    }
}
