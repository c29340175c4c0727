package dev.damselfly.proxy;

import dev.damselfly.proxy.p2p.BlobRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stop of every request: refuses malformed ones (400, 414, 431), applies the per-client request-rate limit
 * (429), answers {@code /healthy}, opens CONNECT tunnels (or intercepts them, {@link HttpsInterceptor}: then this
 * handler serves the decrypted requests, each one to the tunnel's registry), resolves the upstream (403 for anything not configured, before any byte goes
 * upstream), sends the GETs the P2P rules match to the {@code BlobFetcher} ({@link P2pRouter}, when one is
 * configured) and relays everything else on the same event loop ({@link PassThroughRelay}): other GETs and
 * HEADs whole, uploads (PUT, POST, PATCH, DELETE, OPTIONS) as a head followed by streamed body chunks (see
 * {@link BodilessRequestAggregator}). Any other method (TRACE, unknown ones) gets 405.
 */
final class ProxyFrontHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** The health path, usable as nydusd's {@code ping_url} and for Kubernetes probes. */
    static final String HEALTH_PATH = "/healthy";
    private static final Logger LOG = LoggerFactory.getLogger(ProxyFrontHandler.class);

    /**
     * What all connections of one server share.
     *
     * @param p2p         the P2P path, or null when no {@code BlobFetcher} is configured
     * @param interceptor HTTPS interception of CONNECTs, or null when off
     * @param rateLimiter the per-client request limit, or null when off
     * @param pool        idle upstream connections shared by all client connections
     */
    record Shared(ProxyConfig config, UpstreamResolver resolver, UpstreamConnector connector, UpstreamPool pool,
            P2pRouter p2p, MetricsHandler metricsHandler, HttpsInterceptor interceptor, RequestRateLimiter rateLimiter) {
    }

    private final Shared shared;
    /** The registry of the intercepted CONNECT tunnel this connection is, or null for a plain proxy connection. */
    private final RegistryUpstream intercepted;
    private PassThroughRelay relay;
    private BlobStreamer streamer;
    /** A request that arrived while a P2P response was streaming (HTTP pipelining); served after it. */
    private FullHttpRequest pending;
    /** The current upload was refused: its body chunks are dropped. */
    private boolean discardingBody;

    /** @param intercepted the registry of an intercepted CONNECT tunnel (every request goes there), or null */
    ProxyFrontHandler(Shared shared, RegistryUpstream intercepted) {
        super(false);
        this.shared = shared;
        this.intercepted = intercepted;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (streamer != null) {
            // Read only to notice a client that leaves mid-body; a pipelined request waits its turn.
            pending = request;
            return;
        }
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            request.release();
            Throwable cause = decoded.cause();
            if (cause instanceof TooLongHttpLineException) {
                Responses.error(ctx, 414, "request line longer than " + shared.config().maxInitialLineBytes() + " bytes", true);
            } else if (cause instanceof TooLongHttpHeaderException) {
                Responses.error(ctx, 431, "request headers larger than " + shared.config().maxHeaderBytes() + " bytes", true);
            } else if (cause instanceof TooLongFrameException) {
                Responses.error(ctx, 413, "request too large", true);
            } else {
                Responses.error(ctx, 400, "malformed request: " + cause.getMessage(), true);
            }
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        try {
            HttpMethod method = request.method();
            boolean health = intercepted == null && request.uri().equals(HEALTH_PATH);
            if (!health) {
                limitRate(ctx);
            }
            if (HttpMethod.CONNECT.equals(method) && intercepted != null) {
                throw new ProxyException(405, "CONNECT inside an intercepted tunnel is not served");
            }
            if (HttpMethod.CONNECT.equals(method)) {
                connect(ctx, request);
                request.release();
                return;
            }
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
                // Upload methods never get here (streamed, see channelRead) unless their head was malformed.
                request.release();
                Responses.error(ctx, 405, "method " + method + " is not served by this proxy (GET, HEAD, PUT, POST, PATCH, DELETE,"
                        + " OPTIONS and CONNECT are)", !keepAlive);
                return;
            }
            if (health) {
                request.release();
                Responses.ok(ctx, keepAlive);
                return;
            }
            UpstreamTarget target = resolve(request);
            Optional<BlobRequest> blob = shared.p2p() == null ? Optional.empty() : shared.p2p().route(request, target);
            if (blob.isPresent()) {
                serveP2p(ctx, request, target, blob.get(), keepAlive);
                return;
            }
            passThrough(ctx, request, target);
        } catch (ProxyException e) {
            request.release();
            LOG.info("refused {} {} from {}: {}", request.method(), firstLine(request.uri()), ctx.channel().remoteAddress(), e.getMessage());
            Responses.refuse(ctx, e, !keepAlive);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof FullHttpRequest) {
            super.channelRead(ctx, msg);
        } else if (msg instanceof HttpRequest head) {
            streamedHead(ctx, head);
        } else if (msg instanceof HttpContent chunk) {
            streamedBody(chunk);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * The head of an upload (its body follows): resolved and allow-listed here, then relayed with its body
     * streamed. A refusal ends the connection once the answer is written, since the client may already be
     * sending the body.
     */
    private void streamedHead(ChannelHandlerContext ctx, HttpRequest head) {
        if (streamer != null || (relay != null && relay.busy())) {
            // A pipelined upload behind a response still being relayed: not served; the client retries it.
            LOG.info("refused pipelined {} from {}: an exchange is still under way", head.method(), ctx.channel().remoteAddress());
            discardingBody = true;
            ctx.close();
            return;
        }
        discardingBody = false;
        try {
            limitRate(ctx);
            UpstreamTarget target = resolve(head);
            relay(ctx).startStreaming(head, target);
        } catch (ProxyException e) {
            LOG.info("refused {} {} from {}: {}", head.method(), firstLine(head.uri()), ctx.channel().remoteAddress(), e.getMessage());
            discardingBody = true;
            FullHttpResponse response = Responses.refusal(e);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ConnectionDrain.closeAfter(ctx.channel(), ctx.writeAndFlush(response));
        }
    }

    /** Where {@code request} goes: inside an intercepted tunnel always its registry, else as the resolver decides. */
    private UpstreamTarget resolve(HttpRequest request) throws ProxyException {
        if (intercepted != null) {
            return shared.resolver().resolveIntercepted(intercepted, request.uri());
        }
        return shared.resolver().resolve(request.uri(), request.headers().get(UpstreamResolver.REGISTRY_HEADER));
    }

    /** Takes a token from this client's bucket, or refuses with 429. */
    private void limitRate(ChannelHandlerContext ctx) throws ProxyException {
        if (shared.rateLimiter() != null) {
            shared.rateLimiter().acquire(ctx.channel().remoteAddress());
        }
    }

    /** One body chunk of the current upload: relayed (or dropped when the upload was refused). */
    private void streamedBody(HttpContent chunk) {
        if (discardingBody || relay == null) {
            chunk.release();
            return;
        }
        if (chunk.decoderResult().isFailure()) {
            relay.bodyFailed(chunk, chunk.decoderResult().cause());
            return;
        }
        relay.body(chunk);
    }

    private PassThroughRelay relay(ChannelHandlerContext ctx) {
        if (relay == null) {
            relay = new PassThroughRelay(shared.connector(), shared.pool(), ctx.channel());
        }
        return relay;
    }

    /** Relays the exchange to the registry; releases the request. */
    private void passThrough(ChannelHandlerContext ctx, FullHttpRequest request, UpstreamTarget target) {
        try {
            relay(ctx).start(request, target);
        } finally {
            request.release();
        }
    }

    /**
     * A blob GET the rules send P2P: once the origin confirms this client may read the blob, the fetcher serves
     * it; otherwise the GET passes through and the client gets the registry's own answer (401 with its
     * challenge, 403, 404). The connection reads no further request meanwhile. Releases the request.
     */
    private void serveP2p(ChannelHandlerContext ctx, FullHttpRequest request, UpstreamTarget target, BlobRequest blob,
            boolean keepAlive) {
        Channel channel = ctx.channel();
        channel.config().setAutoRead(false);
        shared.p2p().authorize(channel.eventLoop(), blob, request.headers().get(HttpHeaderNames.AUTHORIZATION), allowed -> {
            if (!channel.isActive()) {
                request.release();
                return;
            }
            if (!allowed) {
                passThrough(ctx, request, target);
                return;
            }
            request.release();
            shared.p2p().serve(channel, blob, keepAlive, started -> streamer = started, () -> p2pEnded(ctx));
            // One read while the body streams: a client that closes is noticed (and the fetch closed) even while
            // the fetcher waits for pieces and nothing is written.
            channel.read();
        });
    }

    /** The P2P response ended on a kept-alive connection: serve a request that arrived meanwhile, then read on. */
    private void p2pEnded(ChannelHandlerContext ctx) {
        streamer = null;
        ctx.channel().config().setAutoRead(true);
        FullHttpRequest next = pending;
        pending = null;
        if (next != null) {
            channelRead0(ctx, next);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        super.channelInactive(ctx);
    }

    private void connect(ChannelHandlerContext ctx, FullHttpRequest request) throws ProxyException {
        String authority = request.uri();
        RegistryUpstream registry = shared.resolver().resolveConnect(authority);
        int colon = authority.lastIndexOf(':');
        String host = authority.substring(0, colon);
        int port = Integer.parseInt(authority.substring(colon + 1));
        if (shared.interceptor() != null && shared.interceptor().intercepts(registry)) {
            shared.interceptor().intercept(ctx, shared, registry, host, port);
            return;
        }
        ConnectTunnel.open(ctx, registry, host, port, (int) shared.config().upstreamTimeout().toMillis());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (relay != null && ctx.channel().isWritable()) {
            relay.resumeUpstream();
        }
        BlobStreamer current = streamer;
        if (current != null) {
            current.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static String firstLine(String uri) {
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query) + "?…";
    }
}
