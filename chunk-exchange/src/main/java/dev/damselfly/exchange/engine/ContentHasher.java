package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceStore;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * SHA-256 of a whole task, read back piece by piece from the content file (every read is CRC-checked by the store;
 * never answered from its in-memory hot set, so the digest vouches for the file itself), computed
 * while the download runs: whenever the pieces after the hashed prefix are stored, one background job hashes them, so
 * that at the end only the pieces stored last remain. Pieces arrive out of order (rarest first), so the prefix trails
 * the download by at most the choice window.
 *
 * <p>Driven by one thread (the task's driver): {@link #advance} and {@link #finish} are not called concurrently. A
 * background job that fails (a piece dropped as corrupt on read) is forgotten and {@link #finish} hashes everything
 * again, so the failure surfaces there, on the driver.
 */
final class ContentHasher {
    private final PieceStore store;
    private final String taskId;
    private final int pieceLength;
    private final int pieceCount;
    private MessageDigest digest = newDigest();
    private int next; // pieces [0, next) are in digest once the job in flight (if any) has ended
    private CompletableFuture<Void> job = CompletableFuture.completedFuture(null);
    private ByteBuffer[] buffers; // two piece buffers: one hashed while the next is read
    private final Executor workers;

    /** @param workers run the background jobs and the read of the next piece while the current one is hashed */
    ContentHasher(PieceStore store, String taskId, int pieceLength, int pieceCount, Executor workers) {
        this.store = store;
        this.workers = workers;
        this.taskId = taskId;
        this.pieceLength = pieceLength;
        this.pieceCount = pieceCount;
    }

    /**
     * Starts a background job hashing the stored pieces right after the hashed prefix, unless one is still running or
     * the next piece is not stored yet.
     */
    void advance(BitSet stored) {
        if (!job.isDone()) {
            return;
        }
        if (job.isCompletedExceptionally()) {
            restart();
        }
        int from = next;
        int to = Math.min(pieceCount, stored.nextClearBit(from));
        if (to <= from) {
            return;
        }
        next = to;
        job = CompletableFuture.runAsync(() -> hash(from, to), workers);
    }

    /** Waits for the running job, hashes what is left and answers the digest as 64 lowercase hex characters. */
    String finish() {
        try {
            job.join();
        } catch (RuntimeException e) {
            restart();
        }
        hash(next, pieceCount);
        next = pieceCount;
        return HexFormat.of().formatHex(digest.digest());
    }

    private void restart() {
        digest = newDigest();
        next = 0;
        job = CompletableFuture.completedFuture(null);
    }

    /** Hashes pieces [from, to) in order, reading the next piece on a worker while the current one is hashed. */
    private void hash(int from, int to) {
        if (from >= to) {
            return;
        }
        if (buffers == null) {
            buffers = new ByteBuffer[] {store.newReadBuffer(pieceLength), store.newReadBuffer(pieceLength)};
        }
        read(from, buffers[0]);
        for (int n = from; n < to; n++) {
            ByteBuffer current = buffers[(n - from) & 1];
            ByteBuffer following = buffers[(n - from + 1) & 1];
            int next = n + 1;
            CompletableFuture<Void> ahead = next < to
                    ? CompletableFuture.runAsync(() -> read(next, following), workers)
                    : null;
            try {
                digest.update(current);
            } finally {
                if (ahead != null) {
                    awaitRead(ahead);
                }
            }
        }
    }

    /** Waits for a read-ahead; its failure is rethrown as it was (a typed store exception), not wrapped. */
    private static void awaitRead(CompletableFuture<Void> read) {
        try {
            read.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void read(int n, ByteBuffer into) {
        into.clear();
        store.readPieceFromFile(taskId, n, into);
        into.flip();
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
