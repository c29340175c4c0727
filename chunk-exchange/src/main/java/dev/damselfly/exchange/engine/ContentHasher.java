package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceFollower;
import dev.damselfly.piecestore.PieceRegion;
import dev.damselfly.piecestore.PieceStore;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * SHA-256 of a whole task, computed piece by piece while the download runs: whenever the pieces after the hashed
 * prefix are stored, one background job hashes them, so that at the end only the pieces stored last remain. Pieces
 * arrive out of order (rarest first), so the prefix trails the download by at most the choice window.
 *
 * <p>Each piece is hashed from the store's memory while it still keeps the piece it has just written (the very
 * bytes that were checked and written; a later read of the file checks them against their CRC-32), else read back
 * from the content file (every such read is CRC-checked by the store). The hasher follows the task in the store
 * ({@link PieceStore#follow}), so the kept pieces it has not hashed yet are the last the store drops.
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
    private ByteBuffer[] buffers; // two buffers for pieces read from the file: one hashed while the next is read
    private final Executor workers;
    private final PieceFollower follower;

    /** @param workers run the background jobs and the read of the next piece while the current one is hashed */
    ContentHasher(PieceStore store, String taskId, int pieceLength, int pieceCount, Executor workers) {
        this.store = store;
        this.workers = workers;
        this.taskId = taskId;
        this.pieceLength = pieceLength;
        this.pieceCount = pieceCount;
        this.follower = store.follow(taskId, 0, pieceCount - 1);
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
        close();
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Stops following the task (the task ended, or the digest is done); a job still running ends on its own. */
    void close() {
        follower.close();
    }

    private void restart() {
        digest = newDigest();
        next = 0;
        job = CompletableFuture.completedFuture(null);
    }

    /**
     * Hashes pieces [from, to) in order: from memory where the store keeps them, else from the file, reading the next
     * such piece on a worker while the current one is hashed.
     */
    private void hash(int from, int to) {
        CompletableFuture<Void> ahead = null; // piece n read from the file into buffer(slot) while n-1 was hashed
        int slot = 0;
        try {
            for (int n = from; n < to; n++) {
                PieceRegion inMemory = ahead == null ? store.regionInMemory(taskId, n).orElse(null) : null;
                ByteBuffer fromFile = null;
                if (inMemory == null) {
                    if (ahead == null) {
                        read(n, buffer(slot));
                    } else {
                        CompletableFuture<Void> done = ahead;
                        ahead = null;
                        awaitRead(done);
                    }
                    fromFile = buffer(slot);
                    slot ^= 1;
                }
                int next = n + 1;
                if (next < to && !store.keepsInMemory(taskId, next)) {
                    ByteBuffer into = buffer(slot);
                    ahead = CompletableFuture.runAsync(() -> read(next, into), workers);
                }
                if (inMemory != null) {
                    try (inMemory) {
                        digest.update(inMemory.bytes());
                    }
                } else {
                    digest.update(fromFile);
                }
                follower.moveTo(n + 1);
            }
        } finally {
            if (ahead != null) { // a failure left a read running into a buffer: let it end first
                ahead.exceptionally(e -> null).join();
            }
        }
    }

    /** One of the two buffers pieces are read from the file into, allocated on first use. */
    private ByteBuffer buffer(int slot) {
        if (buffers == null) {
            buffers = new ByteBuffer[2];
        }
        if (buffers[slot] == null) {
            buffers[slot] = store.newReadBuffer(pieceLength);
        }
        return buffers[slot];
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
