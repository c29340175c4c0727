package dev.damselfly.piecestore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A verified piece ready to send: a byte range of its content file, for zero-copy sends (sendfile), or, for a piece
 * this process has just written and still keeps in memory ({@link RecentPieces}), that memory. {@link #transferTo}
 * sends either kind; {@link #read} copies bytes out. Holds what it reads from while it is not closed: the content
 * file stays readable after a concurrent delete or eviction unlinks it, and a piece in memory keeps its buffer.
 */
public final class PieceRegion implements AutoCloseable {
    private final String taskId;
    private final int number;
    /** The content file, or null for a piece in memory. */
    private final FileChannel channel;
    /** Byte offset of the piece in the file (0 for a piece in memory). */
    private final long position;
    private final long length;
    /** The piece's bytes (position 0, limit the length) when it is in memory, else null. */
    private final ByteBuffer memory;
    private final Runnable release;
    private boolean closed;

    PieceRegion(String taskId, int number, FileChannel channel, long position, long length, Runnable release) {
        this(taskId, number, channel, position, length, null, release);
    }

    /** A piece held in memory; {@code release} lets the memory go. */
    PieceRegion(String taskId, int number, ByteBuffer memory, Runnable release) {
        this(taskId, number, null, 0, memory.remaining(), memory, release);
    }

    private PieceRegion(String taskId, int number, FileChannel channel, long position, long length,
                        ByteBuffer memory, Runnable release) {
        this.taskId = taskId;
        this.number = number;
        this.channel = channel;
        this.position = position;
        this.length = length;
        this.memory = memory;
        this.release = release;
    }

    public String taskId() {
        return taskId;
    }

    public int pieceNumber() {
        return number;
    }

    /** Bytes in the piece. */
    public long length() {
        return length;
    }

    /** Whether the piece is sent from memory rather than from its content file. */
    public boolean inMemory() {
        return memory != null;
    }

    /**
     * The piece's bytes, for a region in memory: a read-only buffer of its own (position 0, limit the length), valid
     * until the region is closed.
     *
     * @throws IllegalStateException for a region of a content file
     */
    public ByteBuffer bytes() {
        if (memory == null) {
            throw new IllegalStateException("piece " + number + " of task " + taskId + " is not in memory");
        }
        return memory.asReadOnlyBuffer();
    }

    /** Sends the whole piece to {@code target}. */
    public long transferTo(WritableByteChannel target) throws IOException {
        long done = 0;
        while (done < length) {
            long n = transferTo(target, done, length - done);
            if (n <= 0) {
                throw new IOException("transfer of task " + taskId + " piece " + number + " stalled at " + done
                        + " of " + length + " bytes");
            }
            done += n;
        }
        return done;
    }

    /**
     * Sends up to {@code count} bytes from {@code offset} (counted from the piece's start) to {@code target}, once:
     * {@link FileChannel#transferTo} (sendfile on Linux) for a file, one write for memory.
     *
     * @return the bytes sent, maybe fewer than asked (a non-blocking target that is full)
     * @throws IOException when the content file ends inside the piece, or the target fails
     */
    public long transferTo(WritableByteChannel target, long offset, long count) throws IOException {
        checkSlice(offset, count);
        if (count == 0) {
            return 0;
        }
        if (memory != null) {
            return target.write(memory.duplicate().limit((int) (offset + count)).position((int) offset));
        }
        long start = position + offset;
        long written = channel.transferTo(start, count, target);
        if (written == 0 && channel.size() < start + count) {
            throw new IOException("content file of task " + taskId + " ends inside piece " + number);
        }
        return written;
    }

    /**
     * Copies bytes from {@code offset} (counted from the piece's start) into {@code dst}, as many as fit, up to the
     * piece's end.
     *
     * @return the bytes copied
     * @throws IOException when the content file ends inside the piece or cannot be read
     */
    public int read(ByteBuffer dst, long offset) throws IOException {
        int count = (int) Math.min(dst.remaining(), length - offset);
        checkSlice(offset, count);
        if (memory != null) {
            dst.put(memory.duplicate().limit((int) (offset + count)).position((int) offset));
            return count;
        }
        ByteBuffer slice = dst.duplicate();
        slice.limit(slice.position() + count);
        int done = 0;
        while (done < count) {
            int n = channel.read(slice, position + offset + done);
            if (n < 0) {
                throw new IOException("content file of task " + taskId + " ends inside piece " + number);
            }
            done += n;
        }
        dst.position(dst.position() + count);
        return count;
    }

    private void checkSlice(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > length) {
            throw new IllegalArgumentException("slice " + offset + "+" + count + " is not inside piece " + number
                    + " of task " + taskId + " (" + length + " bytes)");
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release.run();
        }
    }
}
