/**
 * The piece store: the one place on a node where downloaded bytes live.
 *
 * <p>A <em>task</em> (a Dragonfly task id, usually one blob) has a content length, a piece length and
 * pieces numbered from 0 ({@link dev.damselfly.piecestore.PieceGeometry}). Piece bytes live in one
 * sparse file per task under {@code <dir>/content/tasks/<first 3 chars>/<task id>}, written at their
 * offsets; metadata lives in RocksDB under {@code <dir>/metadata} with one column family per record
 * kind ({@code task}, {@code piece}, {@code chunk}, {@code meta}). A piece becomes visible only after
 * its bytes were verified against its digest, forced to disk and its record committed in one synced
 * {@code WriteBatch}; see {@link dev.damselfly.piecestore.PieceStore} for the crash-consistency
 * argument, quotas, garbage collection and the single-flight fetch.
 *
 * <p>Entry point: {@link dev.damselfly.piecestore.PieceStore#open}, a thin facade. Everything else in this
 * package is either a value type of its API, a typed exception, or a package-private part with one job:
 * {@code TaskRegistry} (live tasks, piece install/drop), {@code StoreLoader} (start), {@code PieceWriter} (write
 * path), {@code PieceReader} with {@code CrcReader} (read and verify path), {@code ChunkIndex},
 * {@code FetchOnMiss} with {@code SingleFlight} (single-flight fetch), {@code Evictor} with
 * {@code GarbageCollector} (GC runs and policy), {@code TaskRemover} (deletion and pin semantics),
 * {@code LeaseReads} (reads under a {@link dev.damselfly.piecestore.TaskLease}), {@code DiskUsage} (what the
 * budget counts), {@code MetadataDb}, {@code RecordCodec}, {@code ContentLayout}, {@code ContentFile},
 * {@code TaskState}, {@code HotPieceCache} (small pieces recently read), {@code RecentPieces} (large pieces just
 * written, in direct memory, for the reads that follow a write), {@code StoreMetrics}, {@code StoreContext}, and {@code WriteObserver} (a
 * test seam that sees content forces and piece commits, to check their order).
 */
package dev.damselfly.piecestore;
