package dev.damselfly.proxy.p2p;

import io.netty.channel.FileRegion;
import java.io.Closeable;
import java.io.IOException;

/**
 * The body of a {@link BlobFetch} as file regions the proxy writes to the client's socket as they are (sendfile):
 * the zero-copy alternative to {@link BlobFetch#openStream}. The regions cover exactly the bytes asked for, in
 * order; each is verified before it is handed out, as a stream's bytes are.
 */
public interface BlobRegions extends Closeable {

    /**
     * The next region, blocking until its bytes are available; {@code null} once every byte was handed out. The
     * caller owns the region (writing it to a channel hands it to Netty, which releases it). A region that cannot be
     * had throws {@link IOException}, as a stream's read does.
     */
    FileRegion next() throws IOException;

    /** Releases the pins behind the regions not yet handed out; regions already handed out stay valid. Never throws. */
    @Override
    void close();
}
