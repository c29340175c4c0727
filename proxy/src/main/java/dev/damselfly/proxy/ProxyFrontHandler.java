package dev.damselfly.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stop of every request: refuses malformed ones (400, 414, 431), answers {@code /healthy},
 * opens CONNECT tunnels, resolves the upstream (403 for anything not configured) and relays GET/HEAD
 * on the same event loop ({@link PassThroughRelay}). Other methods get 405 in this version.
 */
final class ProxyFrontHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** The health path, usable as nydusd's {@code ping_url} and for Kubernetes probes. */
    static final String HEALTH_PATH = "/healthy";
    private static final Logger LOG = LoggerFactory.getLogger(ProxyFrontHandler.class);

    /** What all connections of one server share. */
    record Shared(ProxyConfig config, UpstreamResolver resolver, UpstreamConnector connector) {
    }

    private final Shared shared;
    private PassThroughRelay relay;

    ProxyFrontHandler(Shared shared) {
        super(false);
        this.shared = shared;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
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
            if (HttpMethod.CONNECT.equals(method)) {
                connect(ctx, request);
                request.release();
                return;
            }
            if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
                request.release();
                Responses.error(ctx, 405, "method " + method + " is not served by this proxy (GET, HEAD and CONNECT are)", !keepAlive);
                return;
            }
            if (request.uri().equals(HEALTH_PATH)) {
                request.release();
                Responses.ok(ctx, keepAlive);
                return;
            }
            UpstreamTarget target = shared.resolver().resolve(request.uri(), request.headers().get(UpstreamResolver.REGISTRY_HEADER));
            if (relay == null) {
                relay = new PassThroughRelay(shared.connector(), ctx.channel());
            }
            try {
                relay.start(request, target);
            } finally {
                request.release();
            }
        } catch (ProxyException e) {
            request.release();
            LOG.info("refused {} {}: {}", request.method(), firstLine(request.uri()), e.getMessage());
            Responses.error(ctx, e.status(), e.getMessage(), !keepAlive);
        }
    }

    private void connect(ChannelHandlerContext ctx, FullHttpRequest request) throws ProxyException {
        String authority = request.uri();
        RegistryUpstream registry = shared.resolver().resolveConnect(authority);
        int colon = authority.lastIndexOf(':');
        ConnectTunnel.open(ctx, registry, authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)),
                (int) shared.config().upstreamTimeout().toMillis());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (relay != null && ctx.channel().isWritable()) {
            relay.resumeUpstream();
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
