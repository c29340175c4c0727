package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.PieceFileRegion;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreException;
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
    private final PieceCursor cursor;

    /** @param await the future of a piece, asking for it first when it is not stored */
    PieceRegionStream(PieceStore store, String taskId, long pieceLength, long offset, long length,
                      IntFunction<CompletableFuture<Void>> await) {
        this.cursor = new PieceCursor(store, taskId, pieceLength, offset, length, await);
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
        cursor.checkOpen("region stream");
        if (cursor.remaining() <= 0) {
            return null;
        }
        int piece = cursor.piece();
        cursor.awaitPiece(piece);
        long from = cursor.inPiece();
        PieceFileRegion region;
        try {
            var stored = cursor.lease.region(piece);
            region = new PieceFileRegion(stored, from, Math.min(stored.length() - from, cursor.remaining()));
        } catch (PieceStoreException | IllegalArgumentException e) {
            throw new IOException("piece " + piece + " of task " + cursor.taskId + ": " + e.getMessage(), e);
        }
        cursor.advance(region.count());
        return region;
    }

    @Override
    public void close() {
        cursor.close();
    }
}
