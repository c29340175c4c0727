package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import dev.damselfly.piecestore.RecordCodec.TaskRecord;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
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
 * whose content file vanished is deleted ({@link DeletionReason#CONTENT_MISSING}). Small pieces are kept in a
 * byte-bounded Caffeine cache. Reads take no lock shared with writers or GC: a deleted or evicted task's file
 * stays readable by reads and regions already under way.
 *
 * <h2>Concurrency</h2>
 * Any number of readers and writers, several writers per task (different pieces write in parallel; writes of
 * the same piece are serialized and the second one finds it stored). {@link #getOrFetch} is single-flight per
 * piece: concurrent callers for a missing piece cause one {@link PieceFetcher} call.
 *
 * <h2>Quotas and GC</h2>
 * With a disk budget, a commit that takes the stored bytes above {@code high × budget} starts a background GC
 * run; a write that would exceed the budget itself first runs GC in the writer's thread and fails with
 * {@link StorageFullException} if that does not make room. GC deletes unpinned tasks idle longer than the TTL,
 * then unpinned tasks in least-recently-used order down to {@code low × budget} ({@link GarbageCollector}).
 * Tasks with an open {@link TaskLease} are never collected. Every deletion is reported to the configured
 * {@link TaskDeletionListener}.
 *
 * <h2>Metrics</h2>
 * See {@link StoreMetrics} for the meter names.
 */
public final class PieceStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PieceStore.class);
    private static final int WRITE_LOCK_STRIPES = 256;
    private static final int STREAM_BUFFER = 256 << 10;
    /** Bytes read (and checksummed) at a time: small enough to stay in a core's L2 cache. */
    private static final int READ_CHUNK = 256 << 10;
    private static final ThreadLocal<ByteBuffer> VERIFY_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

    private final Path dir;
    private final PieceStoreConfig config;
    private final MetadataDb db;
    private final ContentLayout layout;
    private final ConcurrentHashMap<String, TaskState> tasks = new ConcurrentHashMap<>();
    private final HotPieceCache hot;
    private final SingleFlight<PieceKey, ByteBuffer> flights = new SingleFlight<>();
    private final GarbageCollector collector;
    private final StoreMetrics metrics;
    private final Object[] writeLocks = new Object[WRITE_LOCK_STRIPES];
    private final Object createLock = new Object();
    private final Object gcLock = new Object();
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicLong storedPieces = new AtomicLong();
    private final AtomicBoolean gcQueued = new AtomicBoolean();
    private final ScheduledExecutorService gcExecutor;
    private final boolean cleanStart;
    private volatile boolean closed;

    private PieceStore(Path dir, PieceStoreConfig config, MeterRegistry registry, MetadataDb db, boolean cleanStart) {
        this.dir = dir;
        this.config = config;
        this.db = db;
        this.cleanStart = cleanStart;
        this.layout = new ContentLayout(dir);
        this.hot = new HotPieceCache(config.hotCacheBytes(), config.hotCacheMaxPieceBytes());
        this.collector = new GarbageCollector(config);
        this.metrics = new StoreMetrics(registry, storedBytes::get, storedPieces::get, tasks::size);
        Arrays.setAll(writeLocks, i -> new Object());
        this.gcExecutor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "piece-store-gc");
            t.setDaemon(true);
            return t;
        });
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
            store = new PieceStore(dir, config, registry, db, clean);
            missing = store.load(clean);
        } catch (RuntimeException e) {
            if (store != null) {
                store.gcExecutor.shutdownNow();
            }
            db.close();
            throw e instanceof StoreOpenException ? e : new StoreOpenException(dir, "cannot load records: " + e, e);
        }
        for (TaskState t : missing) {
            store.delete(t, DeletionReason.CONTENT_MISSING);
        }
        Duration interval = config.gcInterval();
        if (!interval.isZero()) {
            store.gcExecutor.scheduleWithFixedDelay(store::gcQuietly, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (store.collector.aboveHigh(store.storedBytes.get())) {
            store.triggerGc();
        }
        LOG.info("piece store opened at {}: {} tasks, {} pieces, {} bytes, {} start, in {} ms", dir,
                store.tasks.size(), store.storedPieces.get(), store.storedBytes.get(),
                store.cleanStart ? "clean" : "unclean (pieces are checked on first read)",
                (System.nanoTime() - started) / 1_000_000);
        return store;
    }

    /** Loads records; returns tasks whose content file is missing (deleted by the caller once listeners can run). */
    private List<TaskState> load(boolean clean) {
        Map<String, TaskRecord> records = db.loadTasks();
        for (var e : records.entrySet()) {
            tasks.put(e.getKey(), new TaskState(e.getKey(), e.getValue(), new ContentFile(layout.pathOf(e.getKey()), config.syncWrites())));
        }
        Set<String> orphanPieceTasks = new LinkedHashSet<>();
        List<int[]> badPieces = new ArrayList<>();
        List<String> badPieceTasks = new ArrayList<>();
        db.forEachPiece((id, p) -> {
            TaskState t = tasks.get(id);
            if (t == null) {
                orphanPieceTasks.add(id);
            } else if (p.number() < 0 || p.number() >= t.pieceCount || p.length() != t.lengthOf(p.number())) {
                badPieceTasks.add(id);
                badPieces.add(new int[] {p.number()});
            } else if (t.install(p, clean)) {
                storedBytes.addAndGet(p.length());
                storedPieces.incrementAndGet();
            }
        });
        if (!orphanPieceTasks.isEmpty()) {
            LOG.warn("removing piece records of {} unknown tasks", orphanPieceTasks.size());
            db.deletePieceRanges(orphanPieceTasks);
        }
        for (int i = 0; i < badPieces.size(); i++) {
            LOG.warn("removing piece record with bad geometry: task {} piece {}", badPieceTasks.get(i),
                    badPieces.get(i)[0]);
            db.deletePiece(badPieceTasks.get(i), badPieces.get(i)[0]);
        }
        try {
            int swept = layout.sweepOrphans(tasks.keySet());
            if (swept > 0) {
                LOG.info("removed {} content files without a task", swept);
            }
        } catch (IOException e) {
            LOG.warn("could not sweep content files without a task under {}: {}", dir, e.toString());
        }
        List<TaskState> missing = new ArrayList<>();
        for (TaskState t : tasks.values()) {
            if (t.storedPieces() > 0 && !t.content.exists()) {
                missing.add(t);
            }
        }
        return missing;
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
        ContentLayout.checkTaskId(taskId);
        if (contentLength < 0 || pieceLength <= 0 || pieceLength > PieceGeometry.MAX_PIECE_LENGTH) {
            throw new InvalidPieceException("bad geometry for task " + taskId + ": content length " + contentLength
                    + ", piece length " + pieceLength);
        }
        PieceGeometry.pieceCount(contentLength, pieceLength);
        synchronized (createLock) {
            TaskState existing = tasks.get(taskId);
            if (existing != null) {
                if (existing.contentLength != contentLength || existing.pieceLength != pieceLength) {
                    throw new TaskConflictException(taskId, existing.info(), contentLength, pieceLength);
                }
                existing.touch(now());
                return existing.info();
            }
            long now = now();
            TaskRecord record = new TaskRecord(contentLength, pieceLength, now, now);
            db.putTask(taskId, record);
            TaskState t = new TaskState(taskId, record, new ContentFile(layout.pathOf(taskId), config.syncWrites()));
            tasks.put(taskId, t);
            LOG.info("task {} created: {} bytes in {} pieces of {}", taskId, contentLength, t.pieceCount, pieceLength);
            return t.info();
        }
    }

    public Optional<TaskInfo> taskInfo(String taskId) {
        TaskState t = tasks.get(taskId);
        return t == null ? Optional.empty() : Optional.of(t.info());
    }

    /** Every task, in no particular order. */
    public List<TaskInfo> tasks() {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskState t : tasks.values()) {
            out.add(t.info());
        }
        return out;
    }

    /** Which pieces of the task are stored (bit i = piece i), for piece-availability sync. */
    public BitSet storedPieces(String taskId) {
        TaskState t = requireTask(taskId);
        BitSet out = new BitSet(t.pieceCount);
        for (int i = 0; i < t.pieceCount; i++) {
            if (t.piece(i) != null) {
                out.set(i);
            }
        }
        return out;
    }

    public boolean hasPiece(String taskId, int number) {
        TaskState t = tasks.get(taskId);
        return t != null && number >= 0 && number < t.pieceCount && t.piece(number) != null;
    }

    public Optional<PieceInfo> pieceInfo(String taskId, int number) {
        TaskState t = tasks.get(taskId);
        if (t == null || number < 0 || number >= t.pieceCount) {
            return Optional.empty();
        }
        PieceRecord p = t.piece(number);
        return p == null ? Optional.empty() : Optional.of(info(t, p));
    }

    /**
     * Pins a task against garbage collection until the lease is closed (a mount, a proxy response, an upload, a
     * download in progress). Also counts as an access for LRU.
     */
    public TaskLease pin(String taskId) {
        TaskState t = requireTask(taskId);
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
        t.touch(now());
        return new TaskLease(taskId, t::unpin);
    }

    /** Deletes a task, its pieces and its content file (even if pinned); returns false if it was not there. */
    public boolean deleteTask(String taskId) {
        checkOpen();
        TaskState t = tasks.get(taskId);
        return t != null && delete(t, DeletionReason.EXPLICIT);
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
     * @throws InvalidPieceException   if the number is out of range or the length is wrong
     */
    public PieceInfo writePiece(String taskId, int number, ByteBuffer bytes, String expectedDigest) {
        checkOpen();
        TaskState t = requireTask(taskId);
        t.checkNumber(number);
        int length = t.lengthOf(number);
        if (bytes.remaining() != length) {
            throw new InvalidPieceException("piece " + number + " of task " + taskId + " is " + length
                    + " bytes, got " + bytes.remaining());
        }
        Expected expected = Expected.parse(expectedDigest);
        int crc = PieceDigests.crc32Of(bytes);
        byte[] sha = expected.sha256 != null ? PieceDigests.sha256Of(bytes) : null;
        checkDigest(t, number, expected, crc, sha);
        synchronized (writeLock(taskId, number)) {
            PieceRecord existing = t.piece(number);
            if (existing != null) {
                return alreadyStored(t, existing, crc);
            }
            ensureRoomPinned(t, number, length);
            Path path = t.content.path();
            if (!t.content.acquire()) {
                throw new TaskNotFoundException(taskId);
            }
            try {
                FileChannel ch = t.content.channel(true);
                ByteBuffer src = bytes.duplicate();
                long pos = t.offsetOf(number);
                while (src.hasRemaining()) {
                    pos += ch.write(src, pos);
                }
                if (config.syncWrites()) {
                    ch.force(false);
                }
            } catch (IOException e) {
                throw writeFailure(t, number, path, e);
            } finally {
                t.content.release();
            }
            PieceRecord record = new PieceRecord(number, length, crc, sha, now());
            commit(t, record);
            hot.offer(new PieceKey(taskId, number), bytes);
            return info(t, record);
        }
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
        TaskState t = requireTask(taskId);
        t.checkNumber(number);
        int length = t.lengthOf(number);
        Expected expected = Expected.parse(expectedDigest);
        synchronized (writeLock(taskId, number)) {
            PieceRecord existing = t.piece(number);
            if (existing != null) {
                ByteBuffer rest = readStream(taskId, number, in, length);
                return alreadyStored(t, existing, PieceDigests.crc32Of(rest));
            }
            ensureRoomPinned(t, number, length);
            Path path = t.content.path();
            if (!t.content.acquire()) {
                throw new TaskNotFoundException(taskId);
            }
            CRC32 crc = new CRC32();
            MessageDigest sha = expected.sha256 != null ? sha256() : null;
            try {
                FileChannel ch = t.content.channel(true);
                byte[] buf = new byte[Math.min(STREAM_BUFFER, Math.max(length, 1))];
                long pos = t.offsetOf(number);
                int done = 0;
                while (done < length) {
                    int n = in.read(buf, 0, Math.min(buf.length, length - done));
                    if (n < 0) {
                        throw new InvalidPieceException("stream for piece " + number + " of task " + taskId
                                + " ended after " + done + " of " + length + " bytes");
                    }
                    crc.update(buf, 0, n);
                    if (sha != null) {
                        sha.update(buf, 0, n);
                    }
                    ByteBuffer src = ByteBuffer.wrap(buf, 0, n);
                    while (src.hasRemaining()) {
                        pos += ch.write(src, pos);
                    }
                    done += n;
                }
                checkDigest(t, number, expected, (int) crc.getValue(), sha == null ? null : sha.digest());
                if (config.syncWrites()) {
                    ch.force(false);
                }
            } catch (IOException e) {
                throw writeFailure(t, number, path, e);
            } finally {
                t.content.release();
            }
            byte[] shaValue = expected.sha256;
            PieceRecord record = new PieceRecord(number, length, (int) crc.getValue(), shaValue, now());
            commit(t, record);
            return info(t, record);
        }
    }

    private ByteBuffer readStream(String taskId, int number, InputStream in, int length) {
        try {
            byte[] all = in.readNBytes(length);
            if (all.length != length) {
                throw new InvalidPieceException("stream for piece " + number + " of task " + taskId + " ended after "
                        + all.length + " of " + length + " bytes");
            }
            return ByteBuffer.wrap(all);
        } catch (IOException e) {
            throw new PieceFetchException(taskId, number, e);
        }
    }

    private PieceInfo alreadyStored(TaskState t, PieceRecord existing, int crc) {
        if (existing.crc() != crc) {
            throw new DigestMismatchException(t.taskId, existing.number(), PieceDigests.formatCrc32(existing.crc()),
                    PieceDigests.formatCrc32(crc), "write over an already stored piece");
        }
        return info(t, existing);
    }

    private void checkDigest(TaskState t, int number, Expected expected, int crc, byte[] sha) {
        if (expected.crc != null && expected.crc != crc) {
            metrics.digestFailuresWrite.increment();
            LOG.warn("digest mismatch on write: task {} piece {} expected {} actual {}", t.taskId, number,
                    PieceDigests.formatCrc32(expected.crc), PieceDigests.formatCrc32(crc));
            throw new DigestMismatchException(t.taskId, number, PieceDigests.formatCrc32(expected.crc),
                    PieceDigests.formatCrc32(crc), "write");
        }
        if (expected.sha256 != null && !MessageDigest.isEqual(expected.sha256, sha)) {
            metrics.digestFailuresWrite.increment();
            LOG.warn("digest mismatch on write: task {} piece {} expected {} actual {}", t.taskId, number,
                    PieceDigests.formatSha256(expected.sha256), PieceDigests.formatSha256(sha));
            throw new DigestMismatchException(t.taskId, number, PieceDigests.formatSha256(expected.sha256),
                    PieceDigests.formatSha256(sha), "write");
        }
    }

    /** {@link #ensureRoom} with the writer's own task pinned, so that its GC run cannot evict it. */
    private void ensureRoomPinned(TaskState t, int number, int length) {
        t.pin();
        try {
            ensureRoom(t, number, length);
        } finally {
            t.unpin();
        }
    }

    /** Makes room for {@code length} more bytes under the budget, running GC in this thread if needed. */
    private void ensureRoom(TaskState t, int number, int length) {
        long budget = config.diskBudgetBytes();
        if (budget == 0 || storedBytes.get() + length <= budget) {
            return;
        }
        runGc(length);
        if (storedBytes.get() + length > budget) {
            throw new StorageFullException(t.taskId, number, dir, "disk budget of " + budget + " bytes is used up ("
                    + storedBytes.get() + " stored, remaining tasks are pinned)", null);
        }
    }

    private void commit(TaskState t, PieceRecord record) {
        synchronized (t.commitLock) {
            if (t.deleted()) {
                throw new TaskNotFoundException(t.taskId);
            }
            t.touch(now());
            db.commitPiece(t.taskId, t.record(), record);
            if (t.install(record, true)) {
                storedBytes.addAndGet(record.length());
                storedPieces.incrementAndGet();
            }
        }
        metrics.writtenBytes.increment(record.length());
        LOG.debug("task {} piece {} committed: {} bytes, {}", t.taskId, record.number(), record.length(),
                PieceDigests.formatCrc32(record.crc()));
        if (collector.aboveHigh(storedBytes.get())) {
            triggerGc();
        }
    }

    private PieceStoreException writeFailure(TaskState t, int number, Path path, IOException e) {
        String msg = String.valueOf(e.getMessage());
        String reason = e instanceof FileSystemException fse ? String.valueOf(fse.getReason()) : "";
        if (msg.contains("No space left") || reason.contains("No space left") || msg.contains("Disk quota exceeded")) {
            LOG.warn("disk full writing task {} piece {} at {}", t.taskId, number, path);
            return new StorageFullException(t.taskId, number, path, msg, e);
        }
        if (e instanceof NoSuchFileException && t.deleted()) {
            return new TaskNotFoundException(t.taskId);
        }
        LOG.warn("write failed: task {} piece {} at {}: {}", t.taskId, number, path, e.toString());
        return new ContentIOException(t.taskId, number, path, e);
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
        TaskState t = requireTask(taskId);
        t.checkNumber(number);
        PieceKey key = new PieceKey(taskId, number);
        ByteBuffer cached = hot.get(key);
        if (cached != null && t.piece(number) != null) {
            metrics.cacheHits.increment();
            metrics.readHits.increment();
            t.touch(now());
            return cached;
        }
        metrics.cacheMisses.increment();
        PieceRecord p = requirePiece(t, number);
        ByteBuffer buf = ByteBuffer.allocate(p.length());
        readVerified(t, p, buf);
        buf.flip();
        hot.offer(key, buf);
        return buf.asReadOnlyBuffer();
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
        TaskState t = requireTask(taskId);
        t.checkNumber(number);
        PieceRecord p0 = t.piece(number);
        int need = p0 != null ? p0.length() : t.lengthOf(number);
        if (dst.remaining() < need) {
            throw new InvalidPieceException("buffer has " + dst.remaining() + " bytes free, piece " + number
                    + " of task " + taskId + " needs " + need);
        }
        ByteBuffer cached = hot.get(new PieceKey(taskId, number));
        if (cached != null && t.piece(number) != null) {
            metrics.cacheHits.increment();
            metrics.readHits.increment();
            t.touch(now());
            dst.put(cached);
            return need;
        }
        metrics.cacheMisses.increment();
        PieceRecord p = requirePiece(t, number);
        int start = dst.position();
        ByteBuffer slice = dst.duplicate();
        slice.limit(start + p.length());
        try {
            readVerified(t, p, slice);
        } catch (RuntimeException e) {
            dst.position(start);
            throw e;
        }
        dst.position(start + p.length());
        return p.length();
    }

    /**
     * The stored piece as a region of its content file for zero-copy sends, checked like a read first (by
     * reading it once through the page cache, which also warms it for the send). Close the region when sent.
     *
     * @see #readPiece(String, int)
     */
    public PieceRegion region(String taskId, int number) {
        checkOpen();
        TaskState t = requireTask(taskId);
        t.checkNumber(number);
        PieceRecord p = requirePiece(t, number);
        if (!t.content.acquire()) {
            metrics.readMisses.increment();
            throw new PieceNotFoundException(taskId, number, "task deleted");
        }
        boolean handedOut = false;
        try {
            FileChannel ch = openForRead(t, number);
            long pos = t.offsetOf(number);
            if (mustVerify(t, number)) {
                int crc = crcOfRange(t, p, ch, pos);
                if (crc != p.crc()) {
                    throw corrupt(t, p, crc, null);
                }
                t.markVerified(number);
            }
            metrics.readHits.increment();
            t.touch(now());
            handedOut = true;
            return new PieceRegion(taskId, number, ch, pos, p.length(), t.content::release);
        } finally {
            if (!handedOut) {
                t.content.release();
            }
        }
    }

    /**
     * The piece, from the store if it is there, else fetched once with {@code fetcher} (concurrent callers for
     * the same piece wait for that one fetch), verified and stored, then returned.
     *
     * @throws PieceFetchException     if the fetcher failed
     * @throws DigestMismatchException if the fetched bytes did not match the digest the fetcher announced
     */
    public ByteBuffer getOrFetch(String taskId, int number, PieceFetcher fetcher) {
        TaskState t = requireTask(taskId);
        t.checkNumber(number);
        if (t.piece(number) != null) {
            try {
                return readPiece(taskId, number);
            } catch (PieceNotFoundException e) {
                // dropped as corrupt: fetch it again below
            }
        }
        PieceKey key = new PieceKey(taskId, number);
        return flights.run(key, () -> {
            if (t.piece(number) != null) {
                try {
                    return readPiece(taskId, number);
                } catch (PieceNotFoundException e) {
                    // fall through to fetch
                }
            }
            FetchedPiece f;
            try {
                f = fetcher.fetch(taskId, number, t.offsetOf(number), t.lengthOf(number));
            } catch (IOException e) {
                throw new PieceFetchException(taskId, number, e);
            }
            if (f == null || f.bytes() == null) {
                throw new PieceFetchException(taskId, number, new IOException("fetcher returned nothing"));
            }
            writePiece(taskId, number, f.bytes(), f.digest());
            ByteBuffer copy = ByteBuffer.allocate(f.bytes().remaining()).put(f.bytes().duplicate()).flip();
            return copy.asReadOnlyBuffer();
        }).duplicate();
    }

    private PieceRecord requirePiece(TaskState t, int number) {
        PieceRecord p = t.piece(number);
        if (p == null) {
            metrics.readMisses.increment();
            throw new PieceNotFoundException(t.taskId, number, null);
        }
        return p;
    }

    /**
     * Reads the piece into {@code buf} (from its position, exactly the piece length, which the caller made room
     * for; the limit ends at the piece's end) and checks it; drops it on mismatch.
     */
    private void readVerified(TaskState t, PieceRecord p, ByteBuffer buf) {
        int number = p.number();
        if (!t.content.acquire()) {
            metrics.readMisses.increment();
            throw new PieceNotFoundException(t.taskId, number, "task deleted");
        }
        try {
            FileChannel ch = openForRead(t, number);
            boolean verify = mustVerify(t, number);
            CRC32 crc = verify ? new CRC32() : null;
            int end = buf.position() + p.length();
            long pos = t.offsetOf(number);
            // read in chunks and checksum each while it is still in the CPU cache
            while (buf.position() < end) {
                int chunkStart = buf.position();
                buf.limit(Math.min(end, chunkStart + READ_CHUNK));
                while (buf.hasRemaining()) {
                    int n;
                    try {
                        n = ch.read(buf, pos);
                    } catch (IOException e) {
                        throw new ContentIOException(t.taskId, number, t.content.path(), e);
                    }
                    if (n < 0) {
                        throw corrupt(t, p, null, "content file ends inside the piece");
                    }
                    pos += n;
                }
                if (verify) {
                    ByteBuffer view = buf.duplicate();
                    view.position(chunkStart);
                    crc.update(view);
                }
            }
            if (verify) {
                int actual = (int) crc.getValue();
                if (actual != p.crc()) {
                    throw corrupt(t, p, actual, null);
                }
                t.markVerified(number);
            }
            metrics.readHits.increment();
            t.touch(now());
        } finally {
            t.content.release();
        }
    }

    private FileChannel openForRead(TaskState t, int number) {
        try {
            return t.content.channel(false);
        } catch (NoSuchFileException e) {
            metrics.readMisses.increment();
            if (!t.deleted()) {
                LOG.warn("content file missing: task {} piece {} at {}; dropping the task", t.taskId, number,
                        t.content.path());
                delete(t, DeletionReason.CONTENT_MISSING);
            }
            throw new PieceNotFoundException(t.taskId, number, "content file missing");
        } catch (IOException e) {
            throw new ContentIOException(t.taskId, number, t.content.path(), e);
        }
    }

    private boolean mustVerify(TaskState t, int number) {
        return config.readVerification() == ReadVerification.EVERY_READ || !t.isVerified(number);
    }

    private int crcOfRange(TaskState t, PieceRecord p, FileChannel ch, long pos) {
        int number = p.number();
        int length = p.length();
        ByteBuffer buf = VERIFY_BUFFER.get();
        CRC32 crc = new CRC32();
        long end = pos + length;
        try {
            while (pos < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw corrupt(t, p, null, "content file ends inside the piece");
                }
                buf.flip();
                crc.update(buf);
                pos += n;
            }
        } catch (IOException e) {
            throw new ContentIOException(t.taskId, number, t.content.path(), e);
        }
        return (int) crc.getValue();
    }

    /** Drops a piece whose bytes on disk are wrong and returns the exception that reports it missing. */
    private PieceNotFoundException corrupt(TaskState t, PieceRecord p, Integer actualCrc, String why) {
        int number = p.number();
        String expected = PieceDigests.formatCrc32(p.crc());
        String actual = actualCrc == null ? "(" + why + ")" : PieceDigests.formatCrc32(actualCrc);
        DigestMismatchException mismatch = new DigestMismatchException(t.taskId, number, expected, actual,
                "read from " + t.content.path());
        metrics.digestFailuresRead.increment();
        metrics.readMisses.increment();
        LOG.warn("corrupt piece dropped: task {} piece {} expected {} actual {} in {}", t.taskId, number, expected,
                actual, t.content.path());
        synchronized (t.commitLock) {
            if (!t.deleted() && t.piece(number) == p) {
                db.deletePiece(t.taskId, number);
                t.uninstall(number);
                storedBytes.addAndGet(-p.length());
                storedPieces.decrementAndGet();
            }
        }
        hot.invalidate(new PieceKey(t.taskId, number));
        PieceNotFoundException e = new PieceNotFoundException(t.taskId, number, "dropped: " + mismatch.getMessage());
        e.initCause(mismatch);
        return e;
    }

    // ---------------------------------------------------------------- chunk index

    /**
     * Records that the chunk with content digest {@code digest} (e.g. a Nydus chunk digest
     * {@code sha256:…}/{@code blake3:…}) is the byte range {@code location} of a task, replacing any earlier
     * location. The pieces need not be stored yet: {@link #lookupChunk} answers only once they are.
     */
    public void putChunk(String digest, ChunkLocation location) {
        checkOpen();
        if (digest == null || digest.isEmpty()) {
            throw new InvalidPieceException("empty chunk digest");
        }
        TaskState t = requireTask(location.taskId());
        if (location.offset() + location.length() > t.contentLength) {
            throw new InvalidPieceException("chunk " + digest + " at " + location.offset() + "+" + location.length()
                    + " lies outside task " + t.taskId + " (" + t.contentLength + " bytes)");
        }
        db.putChunk(digest, location);
    }

    /**
     * Where the chunk is, if its task is still here and every piece covering it is stored. An entry whose task is
     * gone is removed.
     */
    public Optional<ChunkLocation> lookupChunk(String digest) {
        checkOpen();
        ChunkLocation loc = db.getChunk(digest);
        if (loc == null) {
            return Optional.empty();
        }
        TaskState t = tasks.get(loc.taskId());
        if (t == null || loc.offset() + loc.length() > t.contentLength) {
            db.deleteChunk(digest);
            return Optional.empty();
        }
        if (loc.length() == 0) {
            return Optional.of(loc);
        }
        int first = PieceGeometry.pieceAt(loc.offset(), t.pieceLength);
        int last = PieceGeometry.pieceAt(loc.offset() + loc.length() - 1, t.pieceLength);
        for (int i = first; i <= last; i++) {
            if (t.piece(i) == null) {
                return Optional.empty();
            }
        }
        return Optional.of(loc);
    }

    /** The chunk's bytes (read through {@link #readPiece(String, int)}, so verified), if {@link #lookupChunk} finds it. */
    public Optional<ByteBuffer> readChunk(String digest) {
        Optional<ChunkLocation> found = lookupChunk(digest);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ChunkLocation loc = found.get();
        TaskState t = requireTask(loc.taskId());
        ByteBuffer out = ByteBuffer.allocate(loc.length());
        long pos = loc.offset();
        long end = loc.offset() + loc.length();
        try {
            while (pos < end) {
                int n = PieceGeometry.pieceAt(pos, t.pieceLength);
                ByteBuffer piece = readPiece(loc.taskId(), n);
                long pieceStart = t.offsetOf(n);
                int from = (int) (pos - pieceStart);
                int to = (int) Math.min(piece.limit(), end - pieceStart);
                piece.position(from).limit(to);
                out.put(piece);
                pos += to - from;
            }
        } catch (PieceNotFoundException e) {
            return Optional.empty();
        }
        return Optional.of(out.flip().asReadOnlyBuffer());
    }

    // ---------------------------------------------------------------- GC

    /** Runs garbage collection now in this thread (serialized with other runs) and reports what it evicted. */
    public GcReport gc() {
        checkOpen();
        return runGc(0);
    }

    private GcReport runGc(long incoming) {
        synchronized (gcLock) {
            long start = System.nanoTime();
            List<GarbageCollector.Victim> victims = collector.select(new ArrayList<>(tasks.values()),
                    storedBytes.get(), incoming, now());
            int count = 0;
            long bytes = 0;
            for (GarbageCollector.Victim v : victims) {
                long held = v.task().storedBytes();
                if (delete(v.task(), v.reason())) {
                    count++;
                    bytes += held;
                    metrics.evictedBytes.increment(held);
                    metrics.evictedTask(v.reason());
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            metrics.gc.record(took);
            if (count > 0) {
                LOG.info("gc evicted {} tasks, {} bytes in {} ms; {} bytes stored", count, bytes, took.toMillis(),
                        storedBytes.get());
            }
            return new GcReport(count, bytes, storedBytes.get(), took);
        }
    }

    private void gcQuietly() {
        try {
            if (!closed) {
                gc();
            }
        } catch (RuntimeException e) {
            LOG.warn("gc run failed: {}", e.toString());
        }
    }

    private void triggerGc() {
        if (gcQueued.compareAndSet(false, true)) {
            try {
                gcExecutor.execute(() -> {
                    gcQueued.set(false);
                    gcQuietly();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                gcQueued.set(false);
            }
        }
    }

    /** Deletes a task: records first (one batch), then the file; tells the listener. GC skips pinned tasks. */
    private boolean delete(TaskState t, DeletionReason reason) {
        synchronized (t.commitLock) {
            if (t.deleted()) {
                return false;
            }
            t.markDeleted();
            if (reason != DeletionReason.EXPLICIT && reason != DeletionReason.CONTENT_MISSING && t.pinned()) {
                t.unmarkDeleted();
                return false;
            }
            try {
                db.deleteTask(t.taskId);
            } catch (RuntimeException e) {
                t.unmarkDeleted();
                throw e;
            }
            tasks.remove(t.taskId, t);
            storedBytes.addAndGet(-t.storedBytes());
            storedPieces.addAndGet(-t.storedPieces());
        }
        hot.invalidateTask(t.taskId);
        t.content.retire();
        LOG.info("task {} deleted ({}): {} pieces, {} bytes", t.taskId, reason.name().toLowerCase(java.util.Locale.ROOT),
                t.storedPieces(), t.storedBytes());
        try {
            config.deletionListener().taskDeleted(t.taskId, reason);
        } catch (RuntimeException e) {
            LOG.warn("deletion listener failed for task {}: {}", t.taskId, e.toString());
        }
        return true;
    }

    // ---------------------------------------------------------------- misc

    /** Bytes of committed pieces in the store (what the disk budget counts). */
    public long storedBytes() {
        return storedBytes.get();
    }

    /** Whether the previous run ended with {@link #close()} (true for a new store). */
    public boolean cleanStart() {
        return cleanStart;
    }

    /** The store's directory. */
    public Path directory() {
        return dir;
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
        gcExecutor.shutdownNow();
        try {
            gcExecutor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (gcLock) {
            Map<String, TaskRecord> access = new HashMap<>();
            for (TaskState t : tasks.values()) {
                access.put(t.taskId, t.record());
            }
            try {
                db.putTasks(access);
            } catch (RuntimeException e) {
                LOG.warn("could not save access times: {}", e.toString());
            }
            for (TaskState t : tasks.values()) {
                t.content.closeForShutdown();
            }
            db.markCleanShutdown(now());
            db.close();
        }
        LOG.info("piece store at {} closed cleanly", dir);
    }

    private TaskState requireTask(String taskId) {
        TaskState t = tasks.get(taskId);
        if (t == null) {
            metrics.readMisses.increment();
            throw new TaskNotFoundException(taskId);
        }
        return t;
    }

    private void checkOpen() {
        if (closed) {
            throw new PieceStoreException("piece store at " + dir + " is closed");
        }
    }

    private Object writeLock(String taskId, int number) {
        return writeLocks[((taskId.hashCode() * 31 + number) & 0x7fffffff) % WRITE_LOCK_STRIPES];
    }

    private long now() {
        return config.clock().millis();
    }

    private static PieceInfo info(TaskState t, PieceRecord p) {
        return new PieceInfo(t.taskId, p.number(), t.offsetOf(p.number()), p.length(), PieceDigests.formatCrc32(p.crc()),
                Optional.ofNullable(p.sha256()).map(PieceDigests::formatSha256));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** A parsed expected digest: a CRC, a SHA-256, or neither. */
    private record Expected(Integer crc, byte[] sha256) {
        static Expected parse(String digest) {
            if (digest == null || digest.isEmpty()) {
                return new Expected(null, null);
            }
            if (digest.startsWith(PieceDigests.CRC32_PREFIX)) {
                return new Expected(PieceDigests.parseCrc32(digest), null);
            }
            if (digest.startsWith(PieceDigests.SHA256_PREFIX)) {
                return new Expected(null, PieceDigests.parseSha256(digest));
            }
            throw new InvalidPieceException("unsupported piece digest (want crc32: or sha256:): " + digest);
        }
    }
}
