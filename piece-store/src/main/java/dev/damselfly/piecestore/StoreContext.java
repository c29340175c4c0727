package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * What the store's parts share: its directory, settings, database, content layout, in-memory pieces (hot cache
 * and recent pieces), meters and disk usage. Built once by {@link PieceStore#open}; immutable references, each part
 * thread-safe on its own.
 */
final class StoreContext {
    final Path dir;
    final PieceStoreConfig config;
    final MetadataDb db;
    final ContentLayout layout;
    final HotPieceCache hot;
    /** Larger pieces just written ({@link RecentPieces}). */
    final RecentPieces recent;
    final DiskUsage usage;
    final StoreMetrics metrics;
    /** Direct I/O for aligned pieces, or null (turned off, or refused by the file system). */
    final DirectIo direct;
    /** Sees content forces and piece commits; {@link WriteObserver#NONE} outside tests. */
    final WriteObserver observer;

    StoreContext(Path dir, PieceStoreConfig config, MetadataDb db, DiskUsage usage, StoreMetrics metrics,
            WriteObserver observer) {
        this.dir = dir;
        this.config = config;
        this.db = db;
        this.layout = new ContentLayout(dir);
        this.hot = new HotPieceCache(config.hotCacheBytes(), config.hotCacheMaxPieceBytes());
        this.recent = new RecentPieces(config.recentPiecesBytes());
        metrics.registerRecent(recent::followerCount);
        this.usage = usage;
        this.metrics = metrics;
        this.direct = config.directIo() ? DirectIo.probe(layout.root()).orElse(null) : null;
        this.observer = observer;
    }

    /**
     * Keeps a piece just written and checked in memory for the next readers: in the hot cache when it is small
     * enough, else among the recent pieces.
     */
    void keepWritten(PieceKey key, ByteBuffer bytes) {
        if (bytes.remaining() <= config.hotCacheMaxPieceBytes()) {
            hot.offer(key, bytes);
        } else {
            if (!recent.offer(key, bytes) && config.recentPiecesBytes() > 0) {
                metrics.recentNotKept.increment();
            }
        }
    }

    /** Forgets a piece kept in memory (dropped as corrupt, or its task deleted). */
    void forget(PieceKey key) {
        hot.invalidate(key);
        recent.invalidate(key);
    }

    /** Milliseconds since the epoch on the configured clock. */
    long now() {
        return config.clock().millis();
    }
}
