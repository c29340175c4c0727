package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.Origin;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.ByteRange;
import dev.damselfly.oci.registry.RegistryClient;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * An image blob as a task's origin: the length by {@code HEAD} on the blob, bytes by {@code Range} GETs through
 * the oci {@link RegistryClient} (its authentication, redirects and retries). The client is shared and not
 * closed here. Thread-safe.
 */
public final class RegistryBlobOrigin implements Origin {
    private final RegistryClient client;
    private final ImageReference repository;
    private final Digest digest;
    private volatile long knownLength = -1;

    /**
     * @param client the node's registry client
     * @param repository the repository holding the blob (its tag or digest is ignored)
     * @param digest the blob digest
     */
    public RegistryBlobOrigin(RegistryClient client, ImageReference repository, Digest digest) {
        this.client = Objects.requireNonNull(client, "client");
        this.repository = Objects.requireNonNull(repository, "repository");
        this.digest = Objects.requireNonNull(digest, "digest");
    }

    /** As above when the blob size is already known (from a manifest descriptor): no {@code HEAD} is sent. */
    public RegistryBlobOrigin(RegistryClient client, ImageReference repository, Digest digest, long size) {
        this(client, repository, digest);
        if (size < 0) {
            throw new IllegalArgumentException("blob size must be ≥ 0, was " + size);
        }
        this.knownLength = size;
    }

    @Override
    public String describe() {
        return repository.registry() + "/" + repository.repository() + "@" + digest;
    }

    @Override
    public long contentLength() throws IOException {
        long l = knownLength;
        if (l >= 0) {
            return l;
        }
        long size = client.blobSize(repository, digest)
                .orElseThrow(() -> new FileNotFoundException("blob " + describe() + " not found"));
        knownLength = size;
        return size;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        return client.pullBlobRange(repository, digest, ByteRange.of(offset, length));
    }
}
