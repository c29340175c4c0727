package dev.damselfly.piecestore;

import java.nio.file.Path;

/**
 * What the store's parts share: its directory, settings, database, content layout, hot cache, meters and disk
 * usage. Built once by {@link PieceStore#open}; immutable references, each part thread-safe on its own.
 */
final class StoreContext {
    final Path dir;
    final PieceStoreConfig config;
    final MetadataDb db;
    final ContentLayout layout;
    final HotPieceCache hot;
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
        this.usage = usage;
        this.metrics = metrics;
        this.direct = config.directIo() ? DirectIo.probe(layout.root()).orElse(null) : null;
        this.observer = observer;
    }

    /** Milliseconds since the epoch on the configured clock. */
    long now() {
        return config.clock().millis();
    }
}
