package dev.damselfly.peer.mount;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.ByteRange;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.rafsmount.source.BlobSource;
import java.io.IOException;
import java.io.InputStream;

/**
 * Blob bytes from a registry: one Range GET per read through the {@code oci} client (token auth, retries,
 * redirects). The bytes are not trusted: the mount checks every chunk against the bootstrap's digest.
 * Nydus blob ids are the SHA-256 of the blob, i.e. its layer digest in the repository.
 */
public final class RegistryBlobSource implements BlobSource {
    private final RegistryClient client;
    private final ImageReference repository;

    public RegistryBlobSource(RegistryClient client, ImageReference repository) {
        this.client = client;
        this.repository = repository;
    }

    @Override
    public String name() {
        return "registry " + repository.registry() + "/" + repository.repository();
    }

    @Override
    public String kind() {
        return "registry";
    }

    @Override
    public byte[] read(String blobId, long offset, int length) throws IOException {
        try (InputStream in = client.pullBlobRange(repository, Digest.parse("sha256:" + blobId), ByteRange.of(offset, length))) {
            return in.readAllBytes();
        }
    }
}
