package dev.damselfly.piecestore;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Runs one computation per key at a time: concurrent callers with the same key wait for the running one
 * and share its result or its exception.
 */
final class SingleFlight<K, V> {
    private final ConcurrentHashMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /** Result of {@code work}, computed by this caller or by the one already running for {@code key}. */
    V run(K key, Supplier<V> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
        if (running == null) {
            try {
                V v = work.get();
                mine.complete(v);
                return v;
            } catch (RuntimeException | Error e) {
                mine.completeExceptionally(e);
                throw e;
            } finally {
                inFlight.remove(key, mine);
            }
        }
        try {
            return running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PieceStoreException("interrupted waiting for " + key, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new PieceStoreException("fetch of " + key + " failed", c);
        }
    }

    int inFlight() {
        return inFlight.size();
    }
}
