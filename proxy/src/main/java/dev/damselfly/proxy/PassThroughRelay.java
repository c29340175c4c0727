package dev.damselfly.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes GET/HEAD exchanges of one client connection to upstream registries, entirely on that
 * connection's event loop: the request goes out with the client's own headers (Authorization
 * included, never logged), the response comes back as the registry sent it, buffer for buffer. The
 * upstream is read only when the client has taken the previous buffer, so a slow client slows the
 * registry instead of filling memory. One upstream connection is kept per client connection and reused
 * while requests go to the same registry.
 */
final class PassThroughRelay {
    private static final Logger LOG = LoggerFactory.getLogger(PassThroughRelay.class);

    private final UpstreamConnector connector;
    private final Channel downstream;
    private Channel upstream;
    private URI upstreamBase;

    PassThroughRelay(UpstreamConnector connector, Channel downstream) {
        this.connector = connector;
        this.downstream = downstream;
        downstream.closeFuture().addListener(f -> closeUpstream());
    }

    /** Starts one exchange; the client connection reads no further request until it ends. */
    void start(FullHttpRequest request, UpstreamTarget target) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        URI uri = target.uri();
        URI base = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
        FullHttpRequest outgoing = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
                uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        copyEndToEndHeaders(request.headers(), outgoing.headers());
        outgoing.headers().remove(UpstreamResolver.REGISTRY_HEADER);
        outgoing.headers().set(HttpHeaderNames.HOST, uri.getRawAuthority());
        outgoing.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        Exchange exchange = new Exchange(target, keepAlive, request.method().name(), outgoing, base);
        downstream.config().setAutoRead(false);
        dispatch(exchange);
    }

    /** Sends the exchange on the kept upstream connection when it fits, else on a new one. */
    private void dispatch(Exchange exchange) {
        if (UpstreamConnector.reusable(upstream, upstreamBase, exchange.base)) {
            exchange.reusedConnection = true;
            upstream.pipeline().get(ResponseRelay.class).begin(exchange);
            send(exchange);
            return;
        }
        exchange.reusedConnection = false;
        closeUpstream();
        ResponseRelay relay = new ResponseRelay();
        relay.begin(exchange);
        ChannelFuture connect = connector.connect(downstream.eventLoop(), exchange.base, relay);
        upstream = connect.channel();
        upstreamBase = exchange.base;
        connect.addListener(done -> {
            if (done.isSuccess()) {
                send(exchange);
            } else {
                LOG.warn("upstream {} unreachable: {}", exchange.target.registry().name(), done.cause().toString());
                fail(exchange, 502, "upstream registry " + exchange.target.registry().name() + " unreachable");
            }
        });
    }

    private void send(Exchange exchange) {
        Channel channel = upstream;
        channel.writeAndFlush(exchange.outgoing.retainedDuplicate()).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                channel.read();
            } else {
                upstreamFailed(exchange, 502, "upstream registry " + exchange.target.registry().name() + " closed the connection");
            }
        });
    }

    /**
     * The upstream broke before answering. A kept connection the registry had already closed is retried
     * once on a fresh one (GET and HEAD are safe to repeat); anything else is the client's error response.
     */
    private void upstreamFailed(Exchange exchange, int status, String reason) {
        if (exchange.reusedConnection && !exchange.headSent && !exchange.retried) {
            exchange.retried = true;
            closeUpstream();
            dispatch(exchange);
            return;
        }
        fail(exchange, status, reason);
    }

    private void fail(Exchange exchange, int status, String reason) {
        exchange.outgoing.release();
        closeUpstream();
        if (exchange.headSent) {
            downstream.close();
        } else {
            exchange.headSent = true;
            Responses.error(downstream, status, reason, !exchange.keepAlive);
            downstream.config().setAutoRead(true);
        }
    }

    /** The client's socket drained below its low-water mark: continue reading the upstream. */
    void resumeUpstream() {
        if (upstream != null) {
            ResponseRelay relay = upstream.pipeline().get(ResponseRelay.class);
            if (relay != null) {
                relay.resume(upstream.pipeline().context(relay));
            }
        }
    }

    private void closeUpstream() {
        if (upstream != null) {
            upstream.close();
            upstream = null;
            upstreamBase = null;
        }
    }

    private static void copyEndToEndHeaders(HttpHeaders from, HttpHeaders to) {
        for (Map.Entry<String, String> header : from) {
            if (!HopByHopHeaders.isHopByHop(header.getKey())) {
                to.add(header.getKey(), header.getValue());
            }
        }
    }

    /** One request in flight; holds the request to send until the exchange ends. */
    private static final class Exchange {
        final UpstreamTarget target;
        final boolean keepAlive;
        final String method;
        final FullHttpRequest outgoing;
        final URI base;
        boolean reusedConnection;
        boolean retried;
        boolean headSent;
        long bytes;

        Exchange(UpstreamTarget target, boolean keepAlive, String method, FullHttpRequest outgoing, URI base) {
            this.target = target;
            this.keepAlive = keepAlive;
            this.method = method;
            this.outgoing = outgoing;
            this.base = base;
        }
    }

    /** The upstream channel's last handler: relays each response object to the client. */
    private final class ResponseRelay extends ChannelInboundHandlerAdapter {
        private Exchange exchange;
        private boolean upstreamKeepAlive;

        void begin(Exchange next) {
            exchange = next;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (exchange == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            Exchange current = exchange;
            if (msg instanceof HttpResponse head) {
                upstreamKeepAlive = HttpUtil.isKeepAlive(head);
                HttpHeaders headers = head.headers();
                for (String name : new String[] {"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection", "TE",
                        "Trailer", "Upgrade"}) {
                    headers.remove(name);
                }
                if (head.status().code() >= 400) {
                    headers.set(Responses.ERROR_TYPE, "backend");
                }
                if (!current.keepAlive) {
                    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                head.setProtocolVersion(HttpVersion.HTTP_1_1);
                current.headSent = true;
            }
            if (msg instanceof HttpContent content) {
                current.bytes += content.content().readableBytes();
            }
            boolean last = msg instanceof LastHttpContent;
            ChannelFuture write = downstream.writeAndFlush(msg);
            if (last) {
                exchange = null;
                current.outgoing.release();
                LOG.debug("{} {} -> {} bytes", current.method, RedactedUri.of(current.target.uri()), current.bytes);
                write.addListener((ChannelFutureListener) done -> {
                    if (!done.isSuccess() || !current.keepAlive) {
                        downstream.close();
                        return;
                    }
                    if (!upstreamKeepAlive) {
                        closeUpstream();
                    }
                    downstream.config().setAutoRead(true);
                });
            } else {
                write.addListener((ChannelFutureListener) done -> {
                    if (!done.isSuccess()) {
                        LOG.debug("client left during {} {}", current.method, RedactedUri.of(current.target.uri()));
                        ctx.close();
                        downstream.close();
                    }
                });
                // Read ahead while the client's socket takes data; pause at its high-water mark and resume
                // from resumeUpstream() when it drains.
                if (downstream.isWritable()) {
                    ctx.read();
                } else {
                    readPending = true;
                }
            }
        }

        private boolean readPending;

        void resume(ChannelHandlerContext ctx) {
            if (readPending && exchange != null) {
                readPending = false;
                ctx.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (exchange != null) {
                Exchange current = exchange;
                exchange = null;
                LOG.warn("upstream {} closed mid-exchange after {} bytes", current.target.registry().name(), current.bytes);
                failFromUpstream(current, 502, "upstream registry " + current.target.registry().name() + " closed the connection");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            if (exchange != null) {
                Exchange current = exchange;
                exchange = null;
                boolean timeout = cause instanceof ReadTimeoutException;
                LOG.warn("upstream {} failed: {}", current.target.registry().name(), timeout ? "read timeout" : cause.toString());
                failFromUpstream(current, timeout ? 504 : 502, "upstream registry " + current.target.registry().name()
                        + (timeout ? " did not answer in time" : " failed: " + cause.getClass().getSimpleName()));
            }
        }

        private void failFromUpstream(Exchange current, int status, String reason) {
            upstreamFailed(current, status, reason);
        }
    }
}
