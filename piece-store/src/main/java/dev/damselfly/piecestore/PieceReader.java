package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read and verify path: lookups in memory (the hot cache, then the {@link RecentPieces}), reads into a new or the
 * caller's buffer, regions for zero-copy sends; what comes from the content file is checked against the piece's
 * CRC-32 when {@link ReadVerification} (or an unclean start) says so. A piece whose bytes no longer match is dropped
 * and reported missing; a vanished content file drops its task.
 *
 * <p>{@code held} reads come from a {@link TaskLease}: the lease already holds the content file open, so they
 * work on a task deleted under it (no hot cache then: its key may belong to a new task of the same id).
 */
final class PieceReader {
    private static final Logger LOG = LoggerFactory.getLogger(PieceReader.class);

    private final StoreContext ctx;
    private final TaskRegistry tasks;
    private final TaskRemover remover;

    PieceReader(StoreContext ctx, TaskRegistry tasks, TaskRemover remover) {
        this.ctx = ctx;
        this.tasks = tasks;
        this.remover = remover;
    }

    ByteBuffer read(TaskState t, int number, boolean held) {
        t.checkNumber(number);
        PieceKey key = new PieceKey(t.taskId, number);
        boolean cacheable = !t.deleted();
        ByteBuffer cached = cacheable ? ctx.hot.get(key) : null;
        if (cached != null && t.piece(number) != null) {
            hit(t);
            return cached;
        }
        ctx.metrics.cacheMisses.increment();
        PieceRecord p = requirePiece(t, number);
        ByteBuffer buf = ByteBuffer.allocate(p.length());
        try (RecentPieces.Held recent = recent(t, p)) {
            if (recent != null) {
                ctx.metrics.readHits.increment();
                t.touch(ctx.now());
                return buf.put(recent.bytes()).flip().asReadOnlyBuffer();
            }
        }
        readVerified(t, p, buf, held, false);
        buf.flip();
        if (cacheable && !t.deleted()) {
            ctx.hot.offer(key, buf);
        }
        return buf.asReadOnlyBuffer();
    }

    int read(TaskState t, int number, ByteBuffer dst, boolean held) {
        return read(t, number, dst, held, true, true);
    }

    /**
     * @param useHot    whether the in-memory hot set may answer; false reads the content file, with direct I/O when
     *                  this process wrote the piece that way and {@code dst} allows it (see {@link DirectIo})
     * @param useRecent whether a large piece kept in memory since its write ({@link RecentPieces}) may answer
     */
    int read(TaskState t, int number, ByteBuffer dst, boolean held, boolean useHot, boolean useRecent) {
        t.checkNumber(number);
        PieceRecord p0 = t.piece(number);
        int need = p0 != null ? p0.length() : t.lengthOf(number);
        if (dst.remaining() < need) {
            throw new InvalidPieceException("buffer has " + dst.remaining() + " bytes free, piece " + number
                    + " of task " + t.taskId + " needs " + need);
        }
        ByteBuffer cached = t.deleted() || !useHot ? null : ctx.hot.get(new PieceKey(t.taskId, number));
        if (cached != null && t.piece(number) != null) {
            hit(t);
            dst.put(cached);
            return need;
        }
        ctx.metrics.cacheMisses.increment();
        PieceRecord p = requirePiece(t, number);
        if (useRecent) {
            try (RecentPieces.Held recent = recent(t, p)) {
                if (recent != null) {
                    ctx.metrics.readHits.increment();
                    t.touch(ctx.now());
                    dst.put(recent.bytes());
                    return p.length();
                }
            }
        }
        int start = dst.position();
        ByteBuffer slice = dst.duplicate();
        slice.limit(start + p.length());
        try {
            readVerified(t, p, slice, held, !useHot && t.writtenDirect(number));
        } catch (RuntimeException e) {
            dst.position(start);
            throw e;
        }
        dst.position(start + p.length());
        return p.length();
    }

    PieceRegion region(TaskState t, int number, boolean held) {
        return region(t, number, held, true);
    }

    /** @param fromMemory whether a piece kept among the recent ones may be answered from memory */
    PieceRegion region(TaskState t, int number, boolean held, boolean fromMemory) {
        t.checkNumber(number);
        PieceRecord p = requirePiece(t, number);
        PieceRegion inMemory = fromMemory ? regionInMemory(t, number) : null;
        if (inMemory != null) {
            return inMemory;
        }
        acquire(t, number, held);
        boolean handedOut = false;
        try {
            FileChannel ch = openForRead(t, number);
            long pos = t.offsetOf(number);
            if (mustVerify(t, number)) {
                int crc;
                try {
                    crc = CrcReader.crcOfRange(ch, pos, p.length());
                } catch (EOFException e) {
                    throw corrupt(t, p, null, "content file ends inside the piece");
                } catch (IOException e) {
                    throw new ContentIOException(t.taskId, number, t.content.path(), e);
                }
                if (crc != p.crc()) {
                    throw corrupt(t, p, crc, null);
                }
                t.markVerified(number);
            }
            ctx.metrics.readHits.increment();
            t.touch(ctx.now());
            handedOut = true;
            return new PieceRegion(t.taskId, number, ch, pos, p.length(), t.content::release);
        } finally {
            if (!handedOut) {
                t.content.release();
            }
        }
    }

    /** The piece as a region in memory when it is kept among the recent ones, else null (no file is read). */
    PieceRegion regionInMemory(TaskState t, int number) {
        t.checkNumber(number);
        PieceRecord p = t.piece(number);
        RecentPieces.Held recent = p == null ? null : recent(t, p);
        if (recent == null) {
            return null;
        }
        ctx.metrics.readHits.increment();
        t.touch(ctx.now());
        return new PieceRegion(t.taskId, number, recent.bytes(), recent::close);
    }

    /**
     * The piece among the recent ones, held (close it), when it is there and still the stored one; null otherwise.
     * A deleted task's pieces are never looked up: their key may belong to a new task of the same id.
     */
    private RecentPieces.Held recent(TaskState t, PieceRecord p) {
        if (t.deleted() || p.length() <= ctx.config.hotCacheMaxPieceBytes()) {
            return null;
        }
        RecentPieces.Held held = ctx.recent.get(new PieceKey(t.taskId, p.number()));
        if (held == null) {
            ctx.metrics.recentMisses.increment();
            return null;
        }
        if (held.length() != p.length() || t.piece(p.number()) != p) {
            held.close();
            ctx.metrics.recentMisses.increment();
            return null;
        }
        ctx.metrics.recentHits.increment();
        return held;
    }

    private void hit(TaskState t) {
        ctx.metrics.cacheHits.increment();
        ctx.metrics.readHits.increment();
        t.touch(ctx.now());
    }

    PieceRecord requirePiece(TaskState t, int number) {
        PieceRecord p = t.piece(number);
        if (p == null) {
            ctx.metrics.readMisses.increment();
            throw new PieceNotFoundException(t.taskId, number, null);
        }
        return p;
    }

    private void acquire(TaskState t, int number, boolean held) {
        if (held) {
            t.content.acquireHeld();
        } else if (!t.content.acquire()) {
            ctx.metrics.readMisses.increment();
            throw new PieceNotFoundException(t.taskId, number, "task deleted");
        }
    }

    /**
     * Reads the piece into {@code buf} (from its position, exactly the piece length, which the caller made room
     * for; the limit ends at the piece's end) and checks it; drops it on mismatch.
     */
    /**
     * @param fromDisk read with direct I/O when possible: the piece was written that way, so the page cache does not
     *                 hold it and reading it through the cache would only fill fresh pages
     */
    private void readVerified(TaskState t, PieceRecord p, ByteBuffer buf, boolean held, boolean fromDisk) {
        int number = p.number();
        acquire(t, number, held);
        try {
            FileChannel ch = openForRead(t, number);
            boolean verify = mustVerify(t, number);
            int actual;
            try {
                Integer direct = fromDisk ? readDirect(t, p, buf, verify) : null;
                actual = direct != null ? direct : CrcReader.read(ch, t.offsetOf(number), buf, verify);
            } catch (EOFException e) {
                throw corrupt(t, p, null, "content file ends inside the piece");
            } catch (IOException e) {
                throw new ContentIOException(t.taskId, number, t.content.path(), e);
            }
            if (verify) {
                if (actual != p.crc()) {
                    throw corrupt(t, p, actual, null);
                }
                t.markVerified(number);
            }
            ctx.metrics.readHits.increment();
            t.touch(ctx.now());
        } finally {
            t.content.release();
        }
    }

    /**
     * Reads the piece with direct I/O (see {@link DirectIo}) when the store has it, the piece's range is aligned and
     * {@code buf} is an aligned direct buffer; answers its CRC-32 (0 without {@code verify}), or null when it did not
     * read (the caller then reads through the page cache, which also reports real I/O errors).
     */
    private Integer readDirect(TaskState t, PieceRecord p, ByteBuffer buf, boolean verify) throws EOFException {
        DirectIo direct = ctx.direct;
        long pos = t.offsetOf(p.number());
        if (direct == null || !direct.alignedRange(pos, p.length()) || !direct.alignedBuffer(buf)) {
            return null;
        }
        int start = buf.position();
        try {
            CrcReader.readFully(t.content.directChannel(), pos, buf);
        } catch (EOFException e) {
            throw e;
        } catch (IOException e) {
            buf.position(start);
            LOG.debug("direct read failed, reading through the page cache: task_id={} piece={} error={}", t.taskId,
                    p.number(), e.toString());
            return null;
        }
        ctx.metrics.directReadBytes.increment(p.length());
        if (!verify) {
            return 0;
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(buf.duplicate().position(start));
        return (int) crc.getValue();
    }

    private FileChannel openForRead(TaskState t, int number) {
        try {
            return t.content.channel(false);
        } catch (NoSuchFileException e) {
            ctx.metrics.readMisses.increment();
            if (!t.deleted()) {
                LOG.warn("content file missing, dropping the task: task_id={} piece={} path={}", t.taskId, number,
                        t.content.path());
                remover.delete(t, DeletionReason.CONTENT_MISSING);
            }
            throw new PieceNotFoundException(t.taskId, number, "content file missing");
        } catch (IOException e) {
            throw new ContentIOException(t.taskId, number, t.content.path(), e);
        }
    }

    private boolean mustVerify(TaskState t, int number) {
        return ctx.config.readVerification() == ReadVerification.EVERY_READ || !t.isVerified(number);
    }

    /** Drops a piece whose bytes on disk are wrong and returns the exception that reports it missing. */
    private PieceNotFoundException corrupt(TaskState t, PieceRecord p, Integer actualCrc, String why) {
        int number = p.number();
        String expected = PieceDigests.formatCrc32(p.crc());
        String actual = actualCrc == null ? "(" + why + ")" : PieceDigests.formatCrc32(actualCrc);
        DigestMismatchException mismatch = new DigestMismatchException(t.taskId, number, expected, actual,
                "read from " + t.content.path());
        ctx.metrics.digestFailuresRead.increment();
        ctx.metrics.readMisses.increment();
        LOG.warn("corrupt piece dropped: task_id={} piece={} expected={} actual={} path={}", t.taskId, number,
                expected, actual, t.content.path());
        synchronized (t.commitLock) {
            if (t.deleted()) {
                t.uninstall(number); // records and counts already left with the task; stop serving it to leases
            } else if (t.piece(number) == p) {
                ctx.db.deletePiece(t.taskId, number);
                tasks.uninstall(t, p);
            }
        }
        if (!t.deleted()) {
            ctx.forget(new PieceKey(t.taskId, number));
        }
        PieceNotFoundException e = new PieceNotFoundException(t.taskId, number, "dropped: " + mismatch.getMessage());
        e.initCause(mismatch);
        return e;
    }
}
