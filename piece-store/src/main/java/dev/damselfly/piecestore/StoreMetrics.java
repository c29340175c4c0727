package dev.damselfly.piecestore;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/**
 * The store's Micrometer meters (names as registered; Prometheus adds {@code _total}/{@code _bytes} suffixes):
 * <ul>
 *   <li>{@code damselfly.piecestore.stored.bytes} (gauge, bytes) and {@code damselfly.piecestore.stored.pieces},
 *       {@code damselfly.piecestore.tasks} (gauges)</li>
 *   <li>{@code damselfly.piecestore.used.bytes} (gauge, bytes: what the disk budget counts, see {@link DiskUsage})
 *       and {@code damselfly.piecestore.metadata.bytes} (gauge, bytes of the RocksDB files, not in the budget)</li>
 *   <li>{@code damselfly.piecestore.written.bytes} (counter, bytes committed)</li>
 *   <li>{@code damselfly.piecestore.reads} (counter, tag {@code result} = {@code hit}|{@code miss}: piece stored or not)</li>
 *   <li>{@code damselfly.piecestore.hot.cache} (counter, tag {@code result} = {@code hit}|{@code miss})</li>
 *   <li>{@code damselfly.piecestore.recent.pieces} (counter, tag {@code result} = {@code hit}|{@code miss}: reads
 *       of a piece too large for the hot cache answered from the {@link RecentPieces} or not)</li>
 *   <li>{@code damselfly.piecestore.recent.not.kept} (counter: large pieces written but not kept in memory, for
 *       lack of room beside the pieces in-order readers still await or readers still hold; a steady rise says
 *       {@code recentPiecesBytes} is small for the readers' lag) and {@code damselfly.piecestore.recent.followers}
 *       (gauge: in-order readers following a task, see {@link PieceFollower})</li>
 *   <li>{@code damselfly.piecestore.evicted.bytes} (counter, bytes), {@code damselfly.piecestore.evicted.tasks}
 *       (counter, tag {@code reason})</li>
 *   <li>{@code damselfly.piecestore.gc} (timer: count = runs, total time = duration)</li>
 *   <li>{@code damselfly.piecestore.digest.failures} (counter, tag {@code stage} = {@code write}|{@code read})</li>
 *   <li>{@code damselfly.piecestore.direct.bytes} (counter, bytes, tag {@code op} = {@code write}|{@code read}:
 *       piece bytes moved with direct I/O, see {@link DirectIo})</li>
 * </ul>
 */
final class StoreMetrics {
    static final String PREFIX = "damselfly.piecestore.";
    private final MeterRegistry registry;
    final Counter writtenBytes;
    final Counter readHits;
    final Counter readMisses;
    final Counter cacheHits;
    final Counter cacheMisses;
    final Counter recentHits;
    final Counter recentMisses;
    final Counter recentNotKept;
    final Counter evictedBytes;
    final Timer gc;
    final Counter digestFailuresWrite;
    final Counter digestFailuresRead;
    final Counter directWrittenBytes;
    final Counter directReadBytes;

    StoreMetrics(MeterRegistry registry, Supplier<Number> storedBytes, Supplier<Number> storedPieces,
            Supplier<Number> tasks) {
        this.registry = registry;
        Gauge.builder(PREFIX + "stored.bytes", storedBytes).baseUnit("bytes")
                .description("bytes of committed pieces").register(registry);
        Gauge.builder(PREFIX + "stored.pieces", storedPieces).description("committed pieces").register(registry);
        Gauge.builder(PREFIX + "tasks", tasks).description("tasks in the store").register(registry);
        writtenBytes = Counter.builder(PREFIX + "written.bytes").baseUnit("bytes").register(registry);
        readHits = Counter.builder(PREFIX + "reads").tag("result", "hit").register(registry);
        readMisses = Counter.builder(PREFIX + "reads").tag("result", "miss").register(registry);
        cacheHits = Counter.builder(PREFIX + "hot.cache").tag("result", "hit").register(registry);
        cacheMisses = Counter.builder(PREFIX + "hot.cache").tag("result", "miss").register(registry);
        recentHits = Counter.builder(PREFIX + "recent.pieces").tag("result", "hit").register(registry);
        recentMisses = Counter.builder(PREFIX + "recent.pieces").tag("result", "miss").register(registry);
        recentNotKept = Counter.builder(PREFIX + "recent.not.kept")
                .description("large pieces written but not kept in memory for lack of room").register(registry);
        evictedBytes = Counter.builder(PREFIX + "evicted.bytes").baseUnit("bytes").register(registry);
        gc = Timer.builder(PREFIX + "gc").description("garbage-collection runs").register(registry);
        digestFailuresWrite = Counter.builder(PREFIX + "digest.failures").tag("stage", "write").register(registry);
        digestFailuresRead = Counter.builder(PREFIX + "digest.failures").tag("stage", "read").register(registry);
        directWrittenBytes = Counter.builder(PREFIX + "direct.bytes").tag("op", "write").baseUnit("bytes")
                .register(registry);
        directReadBytes = Counter.builder(PREFIX + "direct.bytes").tag("op", "read").baseUnit("bytes")
                .register(registry);
    }

    /** Registers the gauge of in-order readers following a task. */
    void registerRecent(Supplier<Number> followers) {
        Gauge.builder(PREFIX + "recent.followers", followers)
                .description("in-order readers following a task's pieces").register(registry);
    }

    /** Registers the disk-usage gauges. */
    void registerUsage(Supplier<Number> usedBytes, Supplier<Number> metadataBytes) {
        Gauge.builder(PREFIX + "used.bytes", usedBytes).baseUnit("bytes")
                .description("bytes the disk budget counts: blocks of content files").register(registry);
        Gauge.builder(PREFIX + "metadata.bytes", metadataBytes).baseUnit("bytes")
                .description("bytes of the metadata database files").register(registry);
    }

    void evictedTask(DeletionReason reason) {
        Counter.builder(PREFIX + "evicted.tasks").tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry).increment();
    }
}
