package dev.damselfly.rafs.blob;

import java.io.IOException;

/**
 * Random access to the bytes of one blob, wherever they are (a local file, a cache, a peer, a registry
 * Range request). Implementations are named after their mechanism ({@link FileBlobByteSource}).
 */
public interface BlobByteSource {

    /** Label for errors (file path, URL, peer). */
    String name();

    /** Total blob size in bytes. */
    long size() throws IOException;

    /**
     * Exactly {@code length} bytes starting at {@code offset}.
     *
     * @throws java.io.EOFException when the range runs past the end of the blob
     */
    byte[] read(long offset, int length) throws IOException;
}
