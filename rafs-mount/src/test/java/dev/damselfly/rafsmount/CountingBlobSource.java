package dev.damselfly.rafsmount;

import dev.damselfly.rafsmount.source.BlobSource;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A real {@link BlobSource} decorator that records every read it passes on. */
final class CountingBlobSource implements BlobSource {
    /** One read: blob and byte range. */
    record Read(String blobId, long offset, int length) {
        boolean covers(long from, long to) {
            return offset <= from && to <= offset + length;
        }
    }

    private final BlobSource delegate;
    private final ConcurrentLinkedQueue<Read> reads = new ConcurrentLinkedQueue<>();

    CountingBlobSource(BlobSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public String name() {
        return "counting(" + delegate.name() + ")";
    }

    @Override
    public String kind() {
        return delegate.kind();
    }

    @Override
    public byte[] read(String blobId, long offset, int length) throws IOException {
        reads.add(new Read(blobId, offset, length));
        return delegate.read(blobId, offset, length);
    }

    List<Read> reads() {
        return List.copyOf(reads);
    }

    /** Reads whose range includes {@code [from, to)} of blob {@code blobId}. */
    long readsCovering(String blobId, long from, long to) {
        return reads.stream().filter(r -> r.blobId().equals(blobId) && r.covers(from, to)).count();
    }
}
