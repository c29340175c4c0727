package dev.damselfly.exchange.vortex;

import dev.damselfly.piecestore.PieceRegion;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * A Netty {@link FileRegion} over a stored piece, sent with {@code FileChannel.transferTo} (sendfile on Linux).
 * Unlike {@code DefaultFileRegion} it never closes the file channel, which the piece store shares between readers:
 * when Netty releases it (sent, failed or discarded) it closes the {@link PieceRegion} instead, exactly once.
 */
final class PieceFileRegion extends AbstractReferenceCounted implements FileRegion {
    private final PieceRegion region;
    private long transferred;

    PieceFileRegion(PieceRegion region) {
        this.region = region;
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
        return region.length();
    }

    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        long count = region.length() - position;
        if (count < 0 || position < 0) {
            throw new IllegalArgumentException("position out of range: " + position + " (expected 0 - "
                    + (region.length() - 1) + ")");
        }
        if (count == 0) {
            return 0L;
        }
        if (refCnt() == 0) {
            throw new IOException("piece region of task " + region.taskId() + " piece " + region.pieceNumber()
                    + " already released");
        }
        long written = region.channel().transferTo(region.position() + position, count, target);
        if (written > 0) {
            transferred += written;
        } else if (written == 0 && region.channel().size() < region.position() + region.length()) {
            throw new IOException("content file of task " + region.taskId() + " ends inside piece "
                    + region.pieceNumber());
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
