package dev.damselfly.proxy.p2p;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * One blob being served by a {@link BlobFetcher}. The proxy reads {@link #blobLength()}, resolves the
 * client's {@code Range} against it (answering 416 itself when it is unsatisfiable), calls
 * {@link #openStream} at most once, reads that stream on its fetch executor while the client's socket takes
 * the bytes, and finally calls {@link #close()} exactly once: after the last byte, on any error, or when
 * the client goes away.
 */
public interface BlobFetch extends Closeable {

    /** The Dragonfly task id (64 lowercase hex characters, spec §3.1), sent as {@code X-Dragonfly-Task-ID}. */
    String taskId();

    /** Length of the whole blob in bytes (not of the requested range); {@code >= 0}. */
    long blobLength();

    /**
     * True when every byte of the blob was already in the local piece store when the fetch was opened; the
     * response then carries {@code X-Dragonfly-Task-Download-Finished: true}.
     */
    boolean fullLocalHit();

    /** The address of the peer serving the bytes, sent as {@code X-Dragonfly-Server-IP}; default none. */
    default Optional<String> serverIp() {
        return Optional.empty();
    }

    /**
     * Exactly {@code length} bytes of the blob starting at {@code offset} (both already checked against
     * {@link #blobLength()}), verified before they are returned. Reads block until the covering pieces
     * arrive; a read that cannot be satisfied throws {@link IOException} (the proxy then aborts the
     * client's connection: a client never sees a clean but short body). Ending early (end of stream before
     * {@code length} bytes) is treated the same way.
     *
     * @param offset first byte, {@code 0 <= offset < blobLength()} (or 0 when the blob and length are 0)
     * @param length bytes wanted, {@code 0 <= length <= blobLength() - offset}
     */
    InputStream openStream(long offset, long length) throws IOException;

    /**
     * The same bytes as {@link #openStream} as file regions, for a proxy that can send them zero-copy (a plain-TCP
     * client connection); empty when this fetch has no file to send from (the default). Called instead of
     * {@link #openStream}, at most once, with the same arguments and under the same rules.
     */
    default Optional<BlobRegions> openRegions(long offset, long length) throws IOException {
        return Optional.empty();
    }

    /**
     * Releases everything behind the fetch (pins, buffers, piece subscriptions). The proxy first closes the
     * stream or regions it opened (if any), then calls this, each exactly once, from any thread, possibly while
     * its fetch thread is still blocked in a read of that stream (or a wait for the next region): both closes
     * must make such a wait return or throw promptly. Never throws.
     */
    @Override
    void close();
}
