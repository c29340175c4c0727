package dev.damselfly.exchange.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.IntPredicate;

/**
 * One future per piece of a task, completed when the piece is stored, or failed with the download's error.
 * Futures are made on demand; one asked for after its piece was stored is already complete. Thread-safe.
 */
final class PieceFutures {
    private final CompletableFuture<Void>[] futures;
    private final IntPredicate isStored;
    private Throwable failure;

    @SuppressWarnings("unchecked")
    PieceFutures(int pieceCount, IntPredicate isStored) {
        this.futures = new CompletableFuture[pieceCount];
        this.isStored = isStored;
    }

    synchronized CompletableFuture<Void> get(int n) {
        if (n < 0 || n >= futures.length) {
            throw new IllegalArgumentException("piece " + n + " out of range [0, " + futures.length + ")");
        }
        CompletableFuture<Void> f = futures[n];
        if (f == null) {
            f = new CompletableFuture<>();
            if (isStored.test(n)) {
                f.complete(null);
            } else if (failure != null) {
                f.completeExceptionally(failure);
            }
            futures[n] = f;
        }
        return f;
    }

    /** Piece {@code n} is stored. */
    void complete(int n) {
        CompletableFuture<Void> f;
        synchronized (this) {
            f = futures[n];
            if (f == null) {
                futures[n] = CompletableFuture.completedFuture(null);
                return;
            }
        }
        f.complete(null); // outside the lock: dependents run here
    }

    /** Fails every piece not stored yet, now and when asked for later. */
    void failAll(Throwable error) {
        CompletableFuture<Void>[] copy;
        synchronized (this) {
            failure = error;
            copy = futures.clone();
        }
        for (int n = 0; n < copy.length; n++) {
            if (copy[n] != null && !isStored.test(n)) {
                copy[n].completeExceptionally(error);
            }
        }
    }
}
