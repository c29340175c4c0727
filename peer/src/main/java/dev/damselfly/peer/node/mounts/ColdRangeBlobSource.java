package dev.damselfly.peer.node.mounts;

import dev.damselfly.rafsmount.source.BlobSource;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node source of a mount that reads {@link NodeReads#RANGES_WHEN_COLD} (asked so, or {@link NodeReads#AUTO} on a
 * node alone): a read the node can serve without a new
 * download ({@link EngineBlobSource#warm}) goes through its engine; any other read takes exactly its range from the
 * registry ({@link EngineBlobSource#readFromRegistry}) instead of waiting for whole pieces. The mount verifies the
 * bytes either way. Thread-safe.
 */
final class ColdRangeBlobSource implements BlobSource {
    private static final Logger LOG = LoggerFactory.getLogger(ColdRangeBlobSource.class);

    private final EngineBlobSource node;
    /** Blobs whose first cold read was logged (one line per blob, not per read). */
    private final Set<String> coldBlobs = ConcurrentHashMap.newKeySet();

    ColdRangeBlobSource(EngineBlobSource node) {
        this.node = node;
    }

    @Override
    public String name() {
        return node.name() + " (registry ranges when cold)";
    }

    @Override
    public String kind() {
        return node.kind();
    }

    @Override
    public byte[] read(String blobId, long offset, int length) throws IOException {
        if (node.warm(blobId, offset, length)) {
            return node.read(blobId, offset, length);
        }
        long t0 = System.nanoTime();
        byte[] bytes = node.readFromRegistry(blobId, offset, length);
        if (coldBlobs.add(blobId)) {
            LOG.info("cold read from the registry blob={} offset={} bytes={} took_ms={} (no piece of it on this node)",
                    blobId, offset, bytes.length, (System.nanoTime() - t0) / 1_000_000);
        }
        return bytes;
    }
}
