package dev.damselfly.proxy.p2p;

import java.io.IOException;

/**
 * What the node plugs into the proxy to serve blob GETs from its piece store, its peers or the origin.
 *
 * <p>The proxy calls {@link #open} on its own small fetch executor, never on a Netty event loop, and only
 * after the origin has confirmed (by a {@code HEAD} with the client's own {@code Authorization}) that this
 * client may read this blob in this repository. Implementations may block in {@code open} (task
 * registration, the origin stat that learns the length) and in the returned stream's reads (waiting for
 * pieces).
 */
public interface BlobFetcher {

    /**
     * Starts (or joins) the download of one blob and returns a handle on it.
     *
     * @param request the blob, the client's origin headers and its Dragonfly headers
     * @return an open fetch; the proxy always closes it
     * @throws IOException when the blob cannot be fetched; answered {@code 502} with
     *                     {@code X-Dragonfly-Error-Type: dfdaemon} and the exception's message as the reason
     *                     (so the message must never contain credentials)
     */
    BlobFetch open(BlobRequest request) throws IOException;
}
