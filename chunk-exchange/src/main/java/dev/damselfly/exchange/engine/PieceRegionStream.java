package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.PieceFileRegion;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreException;
import dev.damselfly.piecestore.TaskLease;
import dev.damselfly.piecestore.TaskNotFoundException;
import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The bytes {@code [offset, offset+length)} of a task as file regions in order, one per covering piece (sliced at
 * the range's ends), each handed out once its piece is stored and checked like a read: the zero-copy twin of
 * {@link PieceInputStream} for senders that write to a socket (sendfile). Holds a lease on the task until closed;
 * every region holds the content file open until released, so a region stays sendable when the task is evicted
 * meanwhile. Not thread-safe (one consumer).
 */
public final class PieceRegionStream implements Closeable {
    private final String taskId;
    private final long pieceLength;
    private final long end;
    private final IntFunction<CompletableFuture<Void>> await;
    private final TaskLease lease;
    private long position;
    private volatile boolean closed;

    /** @param await the future of a piece, asking for it first when it is not stored */
    PieceRegionStream(PieceStore store, String taskId, long pieceLength, long offset, long length,
                      IntFunction<CompletableFuture<Void>> await) {
        this.taskId = taskId;
        this.pieceLength = pieceLength;
        this.position = offset;
        this.end = offset + length;
        this.await = await;
        this.lease = store.pin(taskId);
    }

    /**
     * Regions of a range whose covering pieces are already stored (a finished range download): a piece missing
     * when its turn comes is an {@link IOException}, never a wait.
     *
     * @throws TaskNotFoundException when the task is not in the store
     */
    public static PieceRegionStream ofStored(PieceStore store, String taskId, long offset, long length) {
        long pieceLength = store.taskInfo(taskId).orElseThrow(() -> new TaskNotFoundException(taskId))
                .pieceLength();
        return new PieceRegionStream(store, taskId, pieceLength, offset, length, n -> CompletableFuture.completedFuture(null));
    }

    /**
     * The next region, waiting for its piece when needed; {@code null} after the last byte. The caller owns the
     * region (release it, or let Netty release it once written).
     *
     * @throws IOException when the piece cannot be had (the download failed, or its stored bytes no longer match)
     */
    public PieceFileRegion next() throws IOException {
        if (closed) {
            throw new IOException("region stream of task " + taskId + " is closed");
        }
        if (position >= end) {
            return null;
        }
        int piece = (int) (position / pieceLength);
        PieceWait.await(await, piece, taskId);
        long from = position - piece * pieceLength;
        PieceFileRegion region;
        try {
            var stored = lease.region(piece);
            long count = Math.min(stored.length() - from, end - position);
            region = new PieceFileRegion(stored, from, count);
        } catch (PieceStoreException | IllegalArgumentException e) {
            throw new IOException("piece " + piece + " of task " + taskId + ": " + e.getMessage(), e);
        }
        position += region.count();
        return region;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            lease.close();
        }
    }
}
