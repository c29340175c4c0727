package dev.damselfly.exchange;

import dev.damselfly.piecestore.PieceRegion;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * A Netty {@link FileRegion} over a stored piece, or over a slice of it, sent with {@code FileChannel.transferTo}
 * (sendfile on Linux), or written from memory when the store still keeps the piece there. Unlike
 * {@code DefaultFileRegion} it never closes the file channel, which the piece store shares between readers: when Netty
 * releases it (sent, failed or discarded) it closes the {@link PieceRegion} instead, exactly once. Used by piece uploads (whole pieces) and by the proxy's blob responses (slices).
 */
public final class PieceFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final PieceRegion region;
    /** First byte of the slice, counted from the piece's start. */
    private final long from;
    /** Bytes in the slice. */
    private final long count;
    private long transferred;

    /** The whole piece. */
    public PieceFileRegion(PieceRegion region) {
        this(region, 0, region.length());
    }

    /**
     * Bytes {@code [from, from+count)} of the piece; takes ownership of {@code region} (closed on release).
     *
     * @throws IllegalArgumentException when the slice is not inside the piece (the region is closed then)
     */
    public PieceFileRegion(PieceRegion region, long from, long count) {
        if (from < 0 || count < 0 || from + count > region.length()) {
            region.close();
            throw new IllegalArgumentException("slice " + from + "+" + count + " is not inside piece "
                    + region.pieceNumber() + " of task " + region.taskId() + " (" + region.length() + " bytes)");
        }
        this.region = region;
        this.from = from;
        this.count = count;
    }

    @Override
    public long position() {
        return 0;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        long left = count - position;
        if (left < 0 || position < 0) {
            throw new IllegalArgumentException("position out of range: " + position + " (expected 0 - "
                    + (count - 1) + ")");
        }
        if (left == 0) {
            return 0L;
        }
        if (refCnt() == 0) {
            throw new IOException("piece region of task " + region.taskId() + " piece " + region.pieceNumber()
                    + " already released");
        }
        long written = region.transferTo(target, from + position, left);
        if (written > 0) {
            transferred += written;
        }
        return written;
    }

    @Override
    protected void deallocate() {
        region.close();
    }

    @Override
    public FileRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileRegion touch() {
        return this;
    }

    @Override
    public FileRegion touch(Object hint) {
        return this;
    }
}
