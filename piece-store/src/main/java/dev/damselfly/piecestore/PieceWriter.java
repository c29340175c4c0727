package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path: check the bytes against the expected digest, make room under the budget, write them at the
 * piece's offset, force the file, then commit the piece record with the task record in one batch (the
 * durability order {@link PieceStore} describes). Writes of one piece are serialized by a striped lock; a second
 * write of a stored piece is a no-op that checks the digest.
 */
final class PieceWriter {
    private static final Logger LOG = LoggerFactory.getLogger(PieceWriter.class);
    /** Lock stripes serializing writes of the same piece: 256. */
    private static final int WRITE_LOCK_STRIPES = 256;
    /** Bytes copied at a time from a stream to the content file: 256 KiB. */
    private static final int STREAM_BUFFER = 256 << 10;

    private final StoreContext ctx;
    private final TaskRegistry tasks;
    private final Evictor evictor;
    private final TaskRemover remover;
    private final Object[] writeLocks = new Object[WRITE_LOCK_STRIPES];

    PieceWriter(StoreContext ctx, TaskRegistry tasks, Evictor evictor, TaskRemover remover) {
        this.ctx = ctx;
        this.tasks = tasks;
        this.evictor = evictor;
        this.remover = remover;
        for (int i = 0; i < writeLocks.length; i++) {
            writeLocks[i] = new Object();
        }
    }

    PieceInfo write(TaskState t, int number, ByteBuffer bytes, String expectedDigest) {
        t.checkNumber(number);
        int length = t.lengthOf(number);
        if (bytes.remaining() != length) {
            throw new InvalidPieceException("piece " + number + " of task " + t.taskId + " is " + length
                    + " bytes, got " + bytes.remaining());
        }
        ExpectedDigest expected = ExpectedDigest.parse(expectedDigest);
        int crc = PieceDigests.crc32Of(bytes);
        byte[] sha = expected.sha256() != null ? PieceDigests.sha256Of(bytes) : null;
        checkDigest(t, number, expected, crc, sha);
        synchronized (writeLock(t.taskId, number)) {
            PieceRecord existing = t.piece(number);
            if (existing != null) {
                return alreadyStored(t, existing, crc);
            }
            ensureRoomPinned(t, number);
            Path path = t.content.path();
            if (!t.content.acquire()) {
                throw new TaskNotFoundException(t.taskId);
            }
            try {
                placeAndForce(t, number, openForWrite(t), bytes, t.offsetOf(number));
            } catch (IOException e) {
                throw writeFailure(t, number, path, e);
            } finally {
                t.content.release();
            }
            PieceRecord record = new PieceRecord(number, length, crc, sha, ctx.now());
            commit(t, record);
            ctx.keepWritten(new PieceKey(t.taskId, number), bytes);
            return PieceStore.info(t, record);
        }
    }

    PieceInfo write(TaskState t, int number, InputStream in, String expectedDigest) {
        t.checkNumber(number);
        int length = t.lengthOf(number);
        ExpectedDigest expected = ExpectedDigest.parse(expectedDigest);
        synchronized (writeLock(t.taskId, number)) {
            PieceRecord existing = t.piece(number);
            if (existing != null) {
                ByteBuffer rest = readStream(t.taskId, number, in, length);
                return alreadyStored(t, existing, PieceDigests.crc32Of(rest));
            }
            ensureRoomPinned(t, number);
            long pos = t.offsetOf(number);
            DirectIo direct = ctx.direct;
            ByteBuffer whole = direct != null && direct.alignedRange(pos, length) ? direct.takeStreamBuffer(length)
                    : null;
            try {
                PieceRecord record = writeStreamed(t, number, in, expected, pos, whole);
                if (whole != null) {
                    // like a piece handed over whole: kept in memory for the next reader (a child, a range)
                    ctx.keepWritten(new PieceKey(t.taskId, number), whole.rewind());
                }
                return PieceStore.info(t, record);
            } finally {
                if (whole != null) {
                    direct.returnStreamBuffer(whole);
                }
            }
        }
    }

    /**
     * Copies the piece from the stream into the content file (into {@code whole} first when there is one, then, once
     * its digest is checked, one direct write), forces the file and commits the record.
     */
    private PieceRecord writeStreamed(TaskState t, int number, InputStream in, ExpectedDigest expected, long pos,
                                      ByteBuffer whole) {
        int length = t.lengthOf(number);
        Path path = t.content.path();
        if (!t.content.acquire()) {
            throw new TaskNotFoundException(t.taskId);
        }
        CRC32 crc = new CRC32();
        MessageDigest sha = expected.sha256() != null ? sha256() : null;
        try {
            FileChannel ch = openForWrite(t);
            byte[] buf = new byte[Math.min(STREAM_BUFFER, Math.max(length, 1))];
            long at = pos;
            int done = 0;
            while (done < length) {
                int n = in.read(buf, 0, Math.min(buf.length, length - done));
                if (n < 0) {
                    throw new InvalidPieceException("stream for piece " + number + " of task " + t.taskId
                            + " ended after " + done + " of " + length + " bytes");
                }
                crc.update(buf, 0, n);
                if (sha != null) {
                    sha.update(buf, 0, n);
                }
                if (whole != null) {
                    whole.put(buf, 0, n); // written at once below, when the whole piece is here
                } else {
                    writeFully(ch, ByteBuffer.wrap(buf, 0, n), at);
                    at += n;
                }
                done += n;
            }
            // a gathered piece is checked before any of its bytes reach the file
            checkDigest(t, number, expected, (int) crc.getValue(), sha == null ? null : sha.digest());
            if (whole != null) {
                placeAndForce(t, number, ch, whole.flip(), pos);
            } else {
                t.markWritten(number, false);
                forceIfSynced(t);
            }
        } catch (IOException e) {
            throw writeFailure(t, number, path, e);
        } finally {
            t.content.release();
        }
        PieceRecord record = new PieceRecord(number, length, (int) crc.getValue(), expected.sha256(), ctx.now());
        commit(t, record);
        return record;
    }

    /**
     * The task's content file for a write. Only a task with no stored piece may create it: once pieces are stored,
     * a missing file was deleted behind the store's back, and a new empty one would sit under their records (and
     * be served as zeros where reads trust stored pieces), so it is a {@link NoSuchFileException} instead.
     */
    private static FileChannel openForWrite(TaskState t) throws IOException {
        return t.content.channel(t.storedPieces() == 0);
    }

    /**
     * Writes the piece with direct I/O when the store has it and the range is aligned, from {@code bytes} itself or
     * through a staging buffer; false when it did not (the caller then writes through the page cache). A failed
     * direct write is logged and left to the page-cache path, which reports a real I/O error itself.
     */
    private boolean writeDirect(TaskState t, int number, ByteBuffer bytes, long pos) {
        DirectIo direct = ctx.direct;
        if (direct == null || !direct.alignedRange(pos, bytes.remaining())) {
            return false;
        }
        ByteBuffer src = bytes.duplicate();
        ByteBuffer staged = null;
        if (!direct.alignedBuffer(src)) {
            staged = direct.takeStaging(src.remaining());
            if (staged == null) {
                return false;
            }
            staged.put(src).flip();
            src = staged;
        }
        try {
            int length = src.remaining();
            writeFully(t.content.directChannel(), src, pos);
            ctx.metrics.directWrittenBytes.increment(length);
            return true;
        } catch (IOException e) {
            LOG.warn("direct write failed, writing through the page cache: task_id={} piece={} error={}", t.taskId,
                    number, e.toString());
            return false;
        } finally {
            if (staged != null) {
                direct.returnStaging(staged);
            }
        }
    }

    /**
     * Puts a whole piece at {@code pos}: with direct I/O when it can go that way, else through the page cache; then
     * forces the file when writes are synced.
     */
    private void placeAndForce(TaskState t, int number, FileChannel ch, ByteBuffer bytes, long pos)
            throws IOException {
        boolean direct = writeDirect(t, number, bytes, pos);
        if (!direct) {
            writeFully(ch, bytes.duplicate(), pos);
        }
        t.markWritten(number, direct);
        forceIfSynced(t);
    }

    private void forceIfSynced(TaskState t) throws IOException {
        if (ctx.config.syncWrites()) {
            t.content.forceWrites();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer src, long pos) throws IOException {
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }

    private static ByteBuffer readStream(String taskId, int number, InputStream in, int length) {
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

    private static PieceInfo alreadyStored(TaskState t, PieceRecord existing, int crc) {
        if (existing.crc() != crc) {
            throw new DigestMismatchException(t.taskId, existing.number(), PieceDigests.formatCrc32(existing.crc()),
                    PieceDigests.formatCrc32(crc), "write over an already stored piece");
        }
        return PieceStore.info(t, existing);
    }

    private void checkDigest(TaskState t, int number, ExpectedDigest expected, int crc, byte[] sha) {
        String[] mismatch = expected.mismatch(crc, sha);
        if (mismatch != null) {
            ctx.metrics.digestFailuresWrite.increment();
            LOG.warn("digest mismatch on write: task_id={} piece={} expected={} actual={}", t.taskId, number,
                    mismatch[0], mismatch[1]);
            throw new DigestMismatchException(t.taskId, number, mismatch[0], mismatch[1], "write");
        }
    }

    /** {@link Evictor#ensureRoom} with the writer's own task pinned, so that its GC run cannot evict it. */
    private void ensureRoomPinned(TaskState t, int number) {
        t.pin();
        try {
            evictor.ensureRoom(t, number);
        } finally {
            t.unpin();
        }
    }

    private void commit(TaskState t, PieceRecord record) {
        synchronized (t.commitLock) {
            if (t.deleted()) {
                throw new TaskNotFoundException(t.taskId);
            }
            t.touch(ctx.now());
            ctx.db.commitPiece(t.taskId, t.record(), record); // ENOSPC here is a StorageFullException too
            ctx.observer.pieceCommitted(t.taskId, record.number());
            tasks.install(t, record, true);
        }
        ctx.metrics.writtenBytes.increment(record.length());
        LOG.debug("piece committed: task_id={} piece={} bytes={} digest={}", t.taskId, record.number(),
                record.length(), PieceDigests.formatCrc32(record.crc()));
        evictor.triggerIfAboveHigh();
    }

    private PieceStoreException writeFailure(TaskState t, int number, Path path, IOException e) {
        String msg = String.valueOf(e.getMessage());
        String reason = e instanceof FileSystemException fse ? String.valueOf(fse.getReason()) : "";
        if (msg.contains("No space left") || reason.contains("No space left") || msg.contains("Disk quota exceeded")) {
            LOG.warn("disk full: task_id={} piece={} path={}", t.taskId, number, path);
            return new StorageFullException(t.taskId, number, path, msg, e);
        }
        if (e instanceof NoSuchFileException && t.deleted()) {
            return new TaskNotFoundException(t.taskId);
        }
        if (e instanceof NoSuchFileException && t.storedPieces() > 0) {
            LOG.warn("content file missing, dropping the task: task_id={} piece={} path={}", t.taskId, number, path);
            ContentMissingException missing = new ContentMissingException(t.taskId, number, path, e);
            try {
                remover.delete(t, DeletionReason.CONTENT_MISSING);
            } catch (RuntimeException deleteFailed) {
                missing.addSuppressed(deleteFailed);
            }
            return missing;
        }
        LOG.warn("write failed: task_id={} piece={} path={} error={}", t.taskId, number, path, e.toString());
        return new ContentIOException(t.taskId, number, path, e);
    }

    private Object writeLock(String taskId, int number) {
        return writeLocks[((taskId.hashCode() * 31 + number) & 0x7fffffff) % WRITE_LOCK_STRIPES];
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
