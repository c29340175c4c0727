package dev.damselfly.piecestore;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.ByteBuffer;

/**
 * Recently read small pieces, already verified, bounded in bytes (Caffeine, weighed by piece length).
 * Holds read-only buffers; callers get duplicates.
 */
final class HotPieceCache {
    private final Cache<PieceKey, ByteBuffer> cache;
    private final int maxPieceBytes;

    HotPieceCache(long maxBytes, int maxPieceBytes) {
        this.maxPieceBytes = maxBytes == 0 ? -1 : maxPieceBytes;
        this.cache = Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((PieceKey k, ByteBuffer v) -> v.capacity()).build();
    }

    ByteBuffer get(PieceKey key) {
        ByteBuffer b = cache.getIfPresent(key);
        return b == null ? null : b.duplicate();
    }

    /** Keeps a copy of {@code bytes} (position to limit) if it is small enough. */
    void offer(PieceKey key, ByteBuffer bytes) {
        if (bytes.remaining() > maxPieceBytes) {
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
        copy.put(bytes.duplicate()).flip();
        cache.put(key, copy.asReadOnlyBuffer());
    }

    void invalidate(PieceKey key) {
        cache.invalidate(key);
    }

    void invalidateTask(String taskId) {
        cache.asMap().keySet().removeIf(k -> k.taskId().equals(taskId));
    }

    /**
     * Bytes held, after Caffeine's pending maintenance (its evictions are amortized, so without it the figure can
     * briefly exceed the bound). For tests.
     */
    long weightedSize() {
        cache.cleanUp();
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }
}
