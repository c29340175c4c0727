package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import dev.damselfly.piecestore.RecordCodec.TaskRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable, verified pieces by task: the facade of this module. Thread-safe; open one per directory (RocksDB
 * locks it against a second process); {@link #close()} it once the threads using it have stopped.
 *
 * <h2>Layout</h2>
 * {@code <dir>/metadata} is a RocksDB database (column families {@code meta}, {@code task}, {@code piece},
 * {@code chunk}; see {@link RecordCodec}); {@code <dir>/content/tasks/<3 chars>/<task id>} is one sparse file
 * per task, written positionally at each piece's offset. Piece bytes are never RocksDB values.
 *
 * <h2>Write path and crash consistency</h2>
 * {@link #writePiece} (1) checks the bytes against the expected digest ({@code crc32:…} or {@code sha256:…};
 * the CRC-32 is always computed and stored), (2) writes them at the piece's offset, (3) forces the file
 * ({@code FileChannel.force(false)}), and only then (4) commits the piece record together with the task
 * record in one {@code WriteBatch} with a synced WAL. A piece is visible from step 4 on. (A new content file's
 * directory is forced once when the file is created, so its name is durable too.) A crash before 4
 * leaves bytes nobody refers to (the piece is forgotten); a crash after it leaves durable bytes and a durable
 * record. A committed piece's bytes are never overwritten (a second write of a stored piece is a no-op that
 * checks the digest). Deleting a task removes its records first, then unlinks the file; content files left
 * without a record are removed at the next start. The start itself reads records only (never content);
 * when the previous run did not end with {@link #close()} (no clean-shutdown marker) every piece is checked
 * against its CRC on its first read, whatever {@link ReadVerification} says.
 *
 * <h2>Reads</h2>
 * {@link #readPiece(String, int)} returns a read-only buffer, {@link #readPiece(String, int, ByteBuffer)} fills
 * the caller's buffer and {@link #region} hands out the file range for zero-copy sends. A piece whose bytes no
 * longer match its digest (corrupted behind our back, truncated file) is dropped and reported missing with a
 * {@link PieceNotFoundException} whose cause is the {@link DigestMismatchException}; it is never served. A task
 * whose content file vanished is deleted ({@link DeletionReason#CONTENT_MISSING}); so is one whose file a write
 * finds gone while it has stored pieces (the write fails with {@link ContentMissingException} rather than recreate
 * an empty file under their records). Small pieces are kept in a
 * byte-bounded Caffeine cache. Reads take no lock shared with writers or GC: a deleted or evicted task's file
 * stays readable by reads and regions already under way. A checked read reads the piece in 1 MiB steps and
 * computes the CRC of each step right after reading it, while it is in the CPU's caches ({@link CrcReader}).
 *
 * <h2>Concurrency</h2>
 * Any number of readers and writers, several writers per task (different pieces write in parallel; writes of
 * the same piece are serialized and the second one finds it stored). {@link #getOrFetch} is single-flight per
 * piece: concurrent callers for a missing piece cause one {@link PieceFetcher} call.
 *
 * <h2>Quotas and GC</h2>
 * The disk budget counts {@link #usedBytes()}: the file-system blocks the content files occupy, including the
 * files of deleted tasks that leases still hold open; RocksDB's own files are not counted ({@link #metadataBytes()}
 * reports them; {@link DiskUsage} gives the margin to leave). With a budget, a commit that takes the used bytes
 * above {@code high × budget} starts a background GC run; a write that would exceed the budget itself first runs
 * GC in the writer's thread and fails with {@link StorageFullException} if that does not make room. GC deletes
 * unpinned tasks idle longer than the TTL, then unpinned tasks in least-recently-used order down to
 * {@code low × budget} ({@link GarbageCollector}). Tasks with an open {@link TaskLease} are never collected.
 * Every deletion is reported to the configured {@link TaskDeletionListener}.
 *
 * <h2>Deleting a pinned task</h2>
 * {@link #deleteTask} does not wait for leases and does not fail on them: the task leaves the store at once
 * (its records are deleted durably, lookups, pins and reads by task id no longer find it, the listener is told,
 * a new task of the same id starts empty), and the lease holders keep reading the pieces it had through
 * {@link TaskLease#readPiece(int)}, {@link TaskLease#readPiece(int, ByteBuffer)} and {@link TaskLease#region(int)}
 * (still checked against their CRCs) until they close their leases; the file's blocks are freed when the last
 * lease, read or region lets go. A reader that reads by task id instead gets {@link TaskNotFoundException}.
 *
 * <h2>Metrics</h2>
 * See {@link StoreMetrics} for the meter names.
 */
public final class PieceStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PieceStore.class);

    private final StoreContext ctx;
    private final TaskRegistry tasks;
    private final TaskRemover remover;
    private final Evictor evictor;
    private final PieceReader reader;
    private final PieceWriter writer;
    private final ChunkIndex chunks;
    private final FetchOnMiss fetches;
    private final boolean cleanStart;
    private volatile boolean closed;

    private PieceStore(Path dir, PieceStoreConfig config, MeterRegistry registry, MetadataDb db, boolean cleanStart,
            WriteObserver observer) {
        this.cleanStart = cleanStart;
        DiskUsage usage = new DiskUsage(DiskUsage.blockSizeOf(dir), db.directory());
        TaskRegistry[] registryRef = new TaskRegistry[1];
        StoreMetrics metrics = new StoreMetrics(registry, usage::storedBytes, usage::storedPieces,
                () -> registryRef[0] == null ? 0 : registryRef[0].size());
        metrics.registerUsage(usage::usedBytes, usage::metadataBytes);
        this.ctx = new StoreContext(dir, config, db, usage, metrics, observer);
        this.tasks = new TaskRegistry(ctx);
        registryRef[0] = tasks;
        this.remover = new TaskRemover(ctx, tasks);
        this.evictor = new Evictor(ctx, tasks, remover);
        this.reader = new PieceReader(ctx, tasks, remover);
        this.writer = new PieceWriter(ctx, tasks, evictor, remover);
        this.chunks = new ChunkIndex(ctx, tasks, reader);
        this.fetches = new FetchOnMiss(reader, writer);
    }

    /** {@link #open(Path, PieceStoreConfig, MeterRegistry)} with a private {@link SimpleMeterRegistry}. */
    public static PieceStore open(Path dir, PieceStoreConfig config) {
        return open(dir, config, new SimpleMeterRegistry());
    }

    /**
     * Opens (creating if needed) the store in {@code dir}: reads task and piece records (not content), deletes
     * content files without a task and tasks whose content file is gone, and starts the periodic GC.
     *
     * @throws StoreOpenException if the database is unreadable, locked or incompatible (the message names the
     *                            directory)
     */
    public static PieceStore open(Path dir, PieceStoreConfig config, MeterRegistry registry) {
        return open(dir, config, registry, WriteObserver.NONE);
    }

    /** {@link #open(Path, PieceStoreConfig, MeterRegistry)} with a {@link WriteObserver} (tests). */
    static PieceStore open(Path dir, PieceStoreConfig config, MeterRegistry registry, WriteObserver observer) {
        long started = System.nanoTime();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreOpenException(dir, "cannot create directory: " + e, e);
        }
        MetadataDb db = MetadataDb.open(dir.resolve("metadata"), config.syncWrites() && config.syncMetadata());
        PieceStore store = null;
        List<TaskState> missing;
        try {
            boolean clean = db.takeCleanShutdownMarker();
            store = new PieceStore(dir, config, registry, db, clean, observer);
            missing = new StoreLoader(store.ctx, store.tasks).load(clean);
        } catch (RuntimeException e) {
            if (store != null) {
                store.evictor.close();
            }
            db.close();
            throw e instanceof StoreOpenException ? e : new StoreOpenException(dir, "cannot load records: " + e, e);
        }
        for (TaskState t : missing) {
            store.remover.delete(t, DeletionReason.CONTENT_MISSING);
        }
        store.evictor.start();
        LOG.info("piece store opened: dir={} tasks={} pieces={} stored_bytes={} used_bytes={} start={} took_ms={}",
                dir, store.tasks.size(), store.ctx.usage.storedPieces(), store.ctx.usage.storedBytes(),
                store.ctx.usage.usedBytes(), store.cleanStart ? "clean" : "unclean (pieces are checked on first read)",
                (System.nanoTime() - started) / 1_000_000);
        return store;
    }

    // ---------------------------------------------------------------- tasks

    /**
     * Creates a task, or returns the existing one if it has the same geometry.
     *
     * @param taskId        1–200 of {@code [A-Za-z0-9._-]}, not starting with a dot (Dragonfly ids are 64 hex)
     * @param contentLength bytes, &gt;= 0
     * @param pieceLength   bytes, 1 … {@link PieceGeometry#MAX_PIECE_LENGTH}
     * @throws TaskConflictException if the task exists with another geometry
     */
    public TaskInfo createTask(String taskId, long contentLength, int pieceLength) {
        checkOpen();
        return tasks.create(taskId, contentLength, pieceLength);
    }

    public Optional<TaskInfo> taskInfo(String taskId) {
        TaskState t = tasks.find(taskId);
        return t == null ? Optional.empty() : Optional.of(t.info());
    }

    /** Every task, in no particular order. */
    public List<TaskInfo> tasks() {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskState t : tasks.all()) {
            out.add(t.info());
        }
        return out;
    }

    /** Which pieces of the task are stored (bit i = piece i), for piece-availability sync. */
    public BitSet storedPieces(String taskId) {
        return storedPiecesOf(tasks.require(taskId));
    }

    static BitSet storedPiecesOf(TaskState t) {
        BitSet out = new BitSet(t.pieceCount);
        for (int i = 0; i < t.pieceCount; i++) {
            if (t.piece(i) != null) {
                out.set(i);
            }
        }
        return out;
    }

    /**
     * The content file of a task whose every piece is stored, so that a local client can hard-link it (what
     * dfget does with its daemon's content): its bytes are exactly the task's content, offset 0 to content length.
     * Empty when the task is unknown, incomplete, deleted or its file is missing. The caller should hold a
     * {@link #pin(String) lease} while it uses the path, and check what it reads itself: bytes reached through the
     * path bypass the store's per-read CRC check.
     */
    public Optional<Path> completeContentFile(String taskId) {
        TaskState t = tasks.find(taskId);
        if (t == null || t.deleted()) {
            return Optional.empty();
        }
        for (int i = 0; i < t.pieceCount; i++) {
            if (t.piece(i) == null) {
                return Optional.empty();
            }
        }
        Path path = t.content.path();
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    public boolean hasPiece(String taskId, int number) {
        TaskState t = tasks.find(taskId);
        return t != null && number >= 0 && number < t.pieceCount && t.piece(number) != null;
    }

    public Optional<PieceInfo> pieceInfo(String taskId, int number) {
        TaskState t = tasks.find(taskId);
        if (t == null || number < 0 || number >= t.pieceCount) {
            return Optional.empty();
        }
        PieceRecord p = t.piece(number);
        return p == null ? Optional.empty() : Optional.of(info(t, p));
    }

    /**
     * Pins a task against garbage collection until the lease is closed (a mount, a proxy response, an upload, a
     * download in progress). Also counts as an access for LRU. The lease also holds the task's content open: if the
     * task is deleted while the lease is open, the lease keeps reading its pieces (see the class comment).
     */
    public TaskLease pin(String taskId) {
        TaskState t = tasks.require(taskId);
        t.pin();
        if (t.deleted()) {
            synchronized (t.commitLock) {
                // GC decides under this lock: after it, deleted() is final
                if (t.deleted()) {
                    t.unpin();
                    throw new TaskNotFoundException(taskId);
                }
            }
        }
        if (!t.content.acquire()) {
            t.unpin();
            throw new TaskNotFoundException(taskId);
        }
        t.touch(ctx.now());
        return new TaskLease(taskId, new LeaseReads(t, reader, this::checkOpen), () -> {
            t.content.release();
            t.unpin();
        });
    }

    /**
     * Deletes a task, its pieces and its content file, even if pinned: lease holders keep reading what it held
     * through their leases until they close them (see the class comment). Returns false if it was not there.
     */
    public boolean deleteTask(String taskId) {
        checkOpen();
        TaskState t = tasks.find(taskId);
        return t != null && remover.delete(t, DeletionReason.EXPLICIT);
    }

    // ---------------------------------------------------------------- writes

    /**
     * Stores one piece from memory. See the class comment for the durability order.
     *
     * @param bytes          exactly the piece's bytes (position to limit; not moved)
     * @param expectedDigest {@code crc32:<decimal>}, {@code sha256:<hex>} (the SHA-256 is then stored too), or
     *                       {@code null} to store without a check
     * @return the stored piece (the existing one if it was already stored with the same CRC)
     * @throws DigestMismatchException if the bytes do not match (nothing stored)
     * @throws StorageFullException    if the disk or the budget is full (nothing committed)
     * @throws ContentMissingException if the task has stored pieces but its content file vanished from disk (the
     *                                 task is dropped, {@link DeletionReason#CONTENT_MISSING}; nothing committed)
     * @throws InvalidPieceException   if the number is out of range or the length is wrong
     */
    public PieceInfo writePiece(String taskId, int number, ByteBuffer bytes, String expectedDigest) {
        checkOpen();
        return writer.write(tasks.require(taskId), number, bytes, expectedDigest);
    }

    /**
     * Stores one piece from a stream, writing it to the content file as it arrives (CRC and, if asked, SHA-256
     * computed on the way) and committing it only if it matches. Reads exactly the piece's length; the stream is
     * not closed.
     *
     * @throws InvalidPieceException if the stream ends early
     * @see #writePiece(String, int, ByteBuffer, String)
     */
    public PieceInfo writePiece(String taskId, int number, InputStream in, String expectedDigest) {
        checkOpen();
        return writer.write(tasks.require(taskId), number, in, expectedDigest);
    }

    // ---------------------------------------------------------------- reads

    /**
     * Reads a stored piece into a new read-only buffer, checked against its digest (see {@link ReadVerification}).
     *
     * @throws TaskNotFoundException  if the task is unknown
     * @throws PieceNotFoundException if the piece is not stored, or was just dropped because its bytes no longer
     *                                match (then the cause is a {@link DigestMismatchException})
     */
    public ByteBuffer readPiece(String taskId, int number) {
        checkOpen();
        return reader.read(tasks.require(taskId), number, false);
    }

    /**
     * Reads a stored piece into {@code dst} at its position (which advances by the piece length).
     *
     * @return the piece length
     * @throws InvalidPieceException if {@code dst} has less room than the piece
     * @see #readPiece(String, int)
     */
    public int readPiece(String taskId, int number, ByteBuffer dst) {
        checkOpen();
        return reader.read(tasks.require(taskId), number, dst, false);
    }

    /**
     * {@link #readPiece(String, int, ByteBuffer)} from the content file itself, never from memory: for
     * a caller that wants the file's own bytes (a check before it is handed out, a stream to a local client). A piece
     * this process wrote with direct I/O is read back the same way into an aligned direct buffer (one from
     * {@link #newReadBuffer}), bypassing the page cache, which does not hold it; any other piece (written through the
     * page cache, say from the origin, or before a restart) is read through the page cache, where it usually still
     * is. Other reads always use the page cache.
     */
    public int readPieceFromFile(String taskId, int number, ByteBuffer dst) {
        checkOpen();
        return reader.read(tasks.require(taskId), number, dst, false, false, false);
    }

    /**
     * {@link #readPieceFromFile}, except that a piece the store still keeps in memory since it wrote it comes from
     * there (the same bytes, checked before they were written; no disk read): for a stream to a local client, which
     * usually follows the download closely.
     */
    public int readPieceKeptOrFromFile(String taskId, int number, ByteBuffer dst) {
        checkOpen();
        return reader.read(tasks.require(taskId), number, dst, false, false, true);
    }

    /**
     * A buffer of {@code capacity} bytes in which {@link #readPieceFromFile} can read a piece with direct I/O: a
     * direct buffer aligned to the block size the store probed when it uses direct I/O, else a heap buffer. Allocate
     * one per reader and reuse it (direct buffers are costly to allocate).
     */
    public ByteBuffer newReadBuffer(int capacity) {
        DirectIo direct = ctx.direct;
        return direct != null ? direct.allocateAligned(capacity) : ByteBuffer.allocate(capacity);
    }

    /**
     * The stored piece ready to send: from memory when the store still keeps it among the pieces it has just written
     * ({@link RecentPieces}), else as a region of its content file for zero-copy sends, checked like a read first (by
     * reading it once through the page cache, which also warms it for the send). Close the region when sent.
     *
     * @see #readPiece(String, int)
     */
    public PieceRegion region(String taskId, int number) {
        checkOpen();
        return reader.region(tasks.require(taskId), number, false);
    }

    /**
     * The stored piece as a region in memory, when the store keeps it among the pieces it has just written; empty
     * otherwise (nothing is read from the content file). Close the region when done.
     *
     * @throws TaskNotFoundException if the task is not in the store
     */
    public Optional<PieceRegion> regionInMemory(String taskId, int number) {
        checkOpen();
        return Optional.ofNullable(reader.regionInMemory(tasks.require(taskId), number));
    }

    /**
     * Registers a reader that will go through pieces {@code [firstPiece, lastPiece]} of a task in order: the pieces
     * kept in memory since their write that it has not passed yet are dropped last (see {@link PieceFollower}), and
     * its place is reported by {@link #followerPlaces} (also when the store keeps no pieces in memory). The task need
     * not exist yet. Close the answer when the reader ends.
     */
    public PieceFollower follow(String taskId, int firstPiece, int lastPiece) {
        checkOpen();
        if (lastPiece < firstPiece) {
            return PieceFollower.NONE;
        }
        return ctx.recent.follow(taskId, firstPiece, lastPiece);
    }

    /**
     * Where the task's in-order readers ({@link #follow}) stand now. A reader whose next piece is stored and who has
     * not moved on for {@code stalledAfter} is left out: it is not waiting for the download but stopped reading (a
     * client that paused), and must not hold anything back.
     */
    public FollowerPlaces followerPlaces(String taskId, Duration stalledAfter) {
        checkOpen();
        List<RecentPieces.Place> all = ctx.recent.followerPlaces(taskId);
        if (all.isEmpty()) {
            return FollowerPlaces.NONE;
        }
        TaskState t = tasks.find(taskId);
        long now = System.nanoTime();
        List<RecentPieces.Place> waiting = new ArrayList<>(all.size());
        for (RecentPieces.Place place : all) {
            boolean stored = t != null && place.next() < t.pieceCount && t.piece(place.next()) != null;
            if (!stored || now - place.movedNanos() <= stalledAfter.toNanos()) {
                waiting.add(place);
            }
        }
        return FollowerPlaces.of(waiting);
    }

    /** Whether the store keeps the piece in memory now (a later {@link #regionInMemory} may still miss it). */
    public boolean keepsInMemory(String taskId, int number) {
        return ctx.recent.contains(new PieceKey(taskId, number));
    }

    /**
     * Checks the stored piece in its content file, never in memory (a piece whose bytes there no longer match its
     * CRC-32 is dropped and reported missing): for a caller that hands out the file itself. Reads it when
     * {@link ReadVerification} says so.
     *
     * @throws PieceNotFoundException if the piece is not stored, or was dropped by this check
     */
    public void checkPieceInFile(String taskId, int number) {
        checkOpen();
        reader.region(tasks.require(taskId), number, false, false).close();
    }

    /**
     * The piece, from the store if it is there, else fetched once with {@code fetcher} (concurrent callers for
     * the same piece wait for that one fetch), verified and stored, then returned.
     *
     * @throws PieceFetchException     if the fetcher failed
     * @throws DigestMismatchException if the fetched bytes did not match the digest the fetcher announced
     */
    public ByteBuffer getOrFetch(String taskId, int number, PieceFetcher fetcher) {
        return fetches.getOrFetch(tasks.require(taskId), number, fetcher);
    }

    // ---------------------------------------------------------------- chunk index

    /**
     * Records that the chunk with content digest {@code digest} (e.g. a Nydus chunk digest
     * {@code sha256:…}/{@code blake3:…}) is the byte range {@code location} of a task, replacing any earlier
     * location. The pieces need not be stored yet: {@link #lookupChunk} answers only once they are.
     */
    public void putChunk(String digest, ChunkLocation location) {
        checkOpen();
        chunks.put(digest, location);
    }

    /**
     * Where the chunk is, if its task is still here and every piece covering it is stored. An entry whose task is
     * gone is removed.
     */
    public Optional<ChunkLocation> lookupChunk(String digest) {
        checkOpen();
        return chunks.lookup(digest);
    }

    /** The chunk's bytes (read through {@link #readPiece(String, int)}, so verified), if {@link #lookupChunk} finds it. */
    public Optional<ByteBuffer> readChunk(String digest) {
        checkOpen();
        return chunks.read(digest);
    }

    // ---------------------------------------------------------------- GC

    /** Runs garbage collection now in this thread (serialized with other runs) and reports what it evicted. */
    public GcReport gc() {
        checkOpen();
        return evictor.run(0);
    }

    // ---------------------------------------------------------------- misc

    /** Bytes of committed pieces in the store (the {@code stored.bytes} gauge). */
    public long storedBytes() {
        return ctx.usage.storedBytes();
    }

    /**
     * Bytes the disk budget counts: file-system blocks covered by committed pieces (a piece length that is not a
     * multiple of the block size, or a short last piece, rounds up to whole blocks), plus the blocks of deleted
     * tasks' content files still held open by leases, reads or regions. See {@link DiskUsage}.
     */
    public long usedBytes() {
        return ctx.usage.usedBytes();
    }

    /** Bytes of the RocksDB files under {@code <dir>/metadata} (apparent sizes; not counted by the budget). */
    public long metadataBytes() {
        return ctx.usage.metadataBytes();
    }

    /** Whether the previous run ended with {@link #close()} (true for a new store). */
    public boolean cleanStart() {
        return cleanStart;
    }

    /** The store's directory. */
    public Path directory() {
        return ctx.dir;
    }

    /**
     * Stops GC, saves last-access times, closes files and writes the clean-shutdown marker (so the next start
     * trusts stored pieces under {@link ReadVerification#AFTER_UNCLEAN_STOP}).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        evictor.close();
        evictor.exclusive(() -> {
            Map<String, TaskRecord> access = new HashMap<>();
            for (TaskState t : tasks.all()) {
                access.put(t.taskId, t.record());
            }
            try {
                ctx.db.putTasks(access);
            } catch (RuntimeException e) {
                LOG.warn("could not save access times: error={}", e.toString());
            }
            for (TaskState t : tasks.all()) {
                t.content.closeForShutdown();
            }
            ctx.db.markCleanShutdown(ctx.now());
            ctx.db.close();
        });
        LOG.info("piece store closed cleanly: dir={}", ctx.dir);
    }

    /** The hot cache (tests). */
    HotPieceCache hotCache() {
        return ctx.hot;
    }

    private void checkOpen() {
        if (closed) {
            throw new PieceStoreException("piece store at " + ctx.dir + " is closed");
        }
    }

    static PieceInfo info(TaskState t, PieceRecord p) {
        return new PieceInfo(t.taskId, p.number(), t.offsetOf(p.number()), p.length(), PieceDigests.formatCrc32(p.crc()),
                Optional.ofNullable(p.sha256()).map(PieceDigests::formatSha256));
    }
}
