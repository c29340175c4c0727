package dev.damselfly.proxy;

import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Set;

/**
 * Aggregates the requests whose bodies the proxy never relays (GET, HEAD, CONNECT and methods it refuses) into
 * one {@code FullHttpRequest}, and lets the upload methods ({@link #STREAMED}) through untouched: their head
 * and then each body chunk reach the front handler as the codec decodes them, so a GiB blob upload is never
 * held in memory. For streamed requests this handler also leaves {@code Expect: 100-continue} alone: it is
 * relayed to the registry, which decides.
 */
final class BodilessRequestAggregator extends HttpObjectAggregator {
    /** Methods whose request body is streamed to the upstream chunk by chunk. */
    static final Set<HttpMethod> STREAMED = Set.of(HttpMethod.PUT, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE,
            HttpMethod.OPTIONS);

    /** @param maxBodyBytes largest body aggregated for the other methods, in bytes (413 beyond) */
    BodilessRequestAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    /** True when {@code request} is relayed as a head followed by streamed body chunks. */
    static boolean streamed(HttpRequest request) {
        return !(request instanceof FullHttpMessage) && request.decoderResult().isSuccess() && STREAMED.contains(request.method());
    }

    @Override
    public boolean acceptInboundMessage(Object msg) throws Exception {
        // A streamed head is not aggregated; its content chunks then pass too, since no aggregation is under way.
        if (msg instanceof HttpRequest request && streamed(request)) {
            return false;
        }
        return super.acceptInboundMessage(msg);
    }
}
