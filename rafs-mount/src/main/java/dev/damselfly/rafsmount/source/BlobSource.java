package dev.damselfly.rafsmount.source;

import java.io.IOException;

/**
 * Random access to the stored (possibly compressed) bytes of blobs, addressed by blob id. Implementations
 * are named after their mechanism ({@link FileBlobSource}; later {@code RegistryBlobSource},
 * {@code PeerBlobSource}) and must be thread-safe: the mount calls them from many FUSE threads at once.
 * Bytes returned here are not trusted: the mount decompresses and verifies every chunk before use.
 */
public interface BlobSource {

    /** Label for logs and errors (directory, registry URL, peer address). */
    String name();

    /**
     * The mechanism of this source in one lower-case word, used as the {@code source} tag of the mount's
     * fetched-bytes metric: {@code "file"}, {@code "registry"}, {@code "peer"}. Keep it to a handful of
     * values (never an address). Default {@code "other"}.
     */
    default String kind() {
        return "other";
    }

    /**
     * Exactly {@code length} bytes of blob {@code blobId} starting at byte {@code offset}.
     *
     * @throws BlobNotFoundException when this source does not have the blob
     * @throws java.io.EOFException  when the range runs past the end of the blob
     * @throws IOException           on any other failure to deliver the bytes
     */
    byte[] read(String blobId, long offset, int length) throws IOException;
}
