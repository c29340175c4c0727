package dev.damselfly.oci.registry;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;

/**
 * One open blob upload session (OCI distribution "pushing a blob in chunks"): bytes are appended in order, each
 * {@link #append} one {@code PATCH} with its {@code Content-Range}, and {@link #complete} names the digest with the
 * closing {@code PUT}, which the registry checks against every byte it received. For a blob whose bytes are produced
 * while it is pushed (a builder's output), so the push does not wait for the whole blob. {@link #close()} abandons a
 * session that was neither completed nor cancelled ({@code DELETE}). Not thread-safe: one thread appends.
 */
public final class BlobUpload implements AutoCloseable {
    private final BlobPusher pusher;
    private final ImageReference repo;
    private final String subject;
    private URI location;
    private long uploaded;
    private boolean ended;

    BlobUpload(BlobPusher pusher, ImageReference repo, String subject, URI location) {
        this.pusher = pusher;
        this.repo = repo;
        this.subject = subject;
        this.location = location;
    }

    /** Sends the next {@code length} bytes of {@code bytes}, from {@code offset}, as one chunk. */
    public void append(byte[] bytes, int offset, int length) throws IOException {
        if (ended) {
            throw new IllegalStateException(subject + ": the upload has ended");
        }
        if (length <= 0) {
            return;
        }
        location = pusher.patch(repo, subject, location, uploaded, new ByteArrayInputStream(bytes, offset, length),
                length);
        uploaded += length;
    }

    /** Bytes the registry has acknowledged so far. */
    public long uploaded() {
        return uploaded;
    }

    /**
     * Ends the upload as blob {@code digest}: the registry stores it once the bytes it received have that digest.
     *
     * @throws dev.damselfly.oci.RegistryException when the registry refuses (for instance a digest mismatch)
     */
    public void complete(Digest digest) throws IOException {
        if (ended) {
            throw new IllegalStateException(subject + ": the upload has ended");
        }
        pusher.finish(repo, subject, location, digest);
        ended = true; // a refused PUT leaves the session open for close() to cancel
    }

    /** Abandons the upload (nothing is stored); a no-op once it has ended. */
    public void cancel() {
        if (!ended) {
            ended = true;
            pusher.cancel(repo, location, subject);
        }
    }

    @Override
    public void close() {
        cancel();
    }
}
