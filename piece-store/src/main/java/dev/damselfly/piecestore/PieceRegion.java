package dev.damselfly.piecestore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A verified piece as a byte range of its content file, for zero-copy sends ({@link #transferTo}, or a
 * Netty {@code DefaultFileRegion(channel(), position(), length())} made by the network layer). Holds the
 * file open while it is not closed: a concurrent delete or eviction unlinks the file but the region stays
 * readable until {@link #close()}. Do not close {@link #channel()} itself.
 */
public final class PieceRegion implements AutoCloseable {
    private final String taskId;
    private final int number;
    private final FileChannel channel;
    private final long position;
    private final long length;
    private final Runnable release;
    private boolean closed;

    PieceRegion(String taskId, int number, FileChannel channel, long position, long length, Runnable release) {
        this.taskId = taskId;
        this.number = number;
        this.channel = channel;
        this.position = position;
        this.length = length;
        this.release = release;
    }

    public String taskId() {
        return taskId;
    }

    public int pieceNumber() {
        return number;
    }

    /** The shared content file channel (read positionally; do not close). */
    public FileChannel channel() {
        return channel;
    }

    /** Byte offset of the piece in the file. */
    public long position() {
        return position;
    }

    /** Bytes in the piece. */
    public long length() {
        return length;
    }

    /** Sends the whole piece to {@code target} with {@link FileChannel#transferTo} (sendfile on Linux). */
    public long transferTo(WritableByteChannel target) throws IOException {
        long done = 0;
        while (done < length) {
            long n = channel.transferTo(position + done, length - done, target);
            if (n <= 0) {
                throw new IOException("transfer of task " + taskId + " piece " + number + " stalled at " + done
                        + " of " + length + " bytes");
            }
            done += n;
        }
        return done;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release.run();
        }
    }
}
