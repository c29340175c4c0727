package dev.damselfly.exchange.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntFunction;

/** Waiting for a piece on behalf of a blocking reader: the typed failures become the {@link IOException}s readers expect. */
final class PieceWait {
    private PieceWait() {
    }

    /**
     * Blocks until piece {@code n} is stored.
     *
     * @param await the future of a piece, asking for it first when it is not stored
     * @throws InterruptedIOException when interrupted (the interrupt flag is set again)
     * @throws IOException            when the piece cannot be had (the download failed), with the cause
     */
    static void await(IntFunction<CompletableFuture<Void>> await, int n, String taskId) throws IOException {
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
}
