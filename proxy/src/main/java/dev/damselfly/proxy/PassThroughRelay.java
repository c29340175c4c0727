package dev.damselfly.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes the exchanges of one client connection that do not go P2P to upstream registries, entirely on that
 * connection's event loop: the request goes out with the client's own headers (Authorization included, never
 * logged; hop-by-hop headers dropped), the response comes back as the registry sent it, buffer for buffer.
 *
 * <p>Bodiless requests (GET, HEAD) arrive whole ({@link #start}). Uploads (PUT, POST, PATCH, DELETE, OPTIONS)
 * arrive as a head ({@link #startStreaming}) and then body chunks ({@link #body}), which go upstream as they
 * come, with the client's framing (Content-Length or chunked). Both directions are paced: the client is read
 * only while the upstream socket is writable, the upstream only while the client's socket is, so one exchange
 * holds at most about one socket read plus a channel's high-water mark in memory. {@code Expect: 100-continue}
 * is relayed to the registry and its {@code 100 Continue} back, so a registry that refuses (401, 404) does so
 * before the client sends a byte of body. A registry that answers before the whole body arrived ends the
 * client connection after that answer (the rest of the body is dropped, never sent).
 *
 * <p>In mirror mode a {@code Location} naming the registry itself is made proxy-relative ({@link LocationRewriter}),
 * so uploads keep going through the mirror.
 *
 * <p>Each exchange borrows an idle keep-alive connection to its registry from the {@link UpstreamPool} of this event
 * loop (or opens one) and returns it once the response has been read completely, so sequential requests, even on
 * different client connections, reuse one upstream connection. Response buffers go to the client as the upstream
 * codec produced them (no copy); a response head leaves together with the body bytes read with it.
 */
final class PassThroughRelay {
    private static final Logger LOG = LoggerFactory.getLogger(PassThroughRelay.class);

    private final UpstreamConnector connector;
    private final UpstreamPool pool;
    private final Channel downstream;
    private Channel upstream;
    private URI upstreamBase;
    /** The streamed exchange whose request body is still arriving from the client, or null. */
    private Exchange receiving;
    /** The exchange under way, from start to the end of its response, or null. */
    private Exchange active;

    PassThroughRelay(UpstreamConnector connector, UpstreamPool pool, Channel downstream) {
        this.connector = connector;
        this.pool = pool;
        this.downstream = downstream;
        downstream.closeFuture().addListener(f -> clientGone());
    }

    /** True while an exchange is under way (until its response has been written). */
    boolean busy() {
        return active != null;
    }

    /** Starts one bodiless exchange; the client connection reads no further request until it ends. */
    void start(FullHttpRequest request, UpstreamTarget target) {
        URI uri = target.uri();
        FullHttpRequest outgoing = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), pathAndQuery(uri));
        copyHeaders(request.headers(), outgoing.headers(), uri);
        outgoing.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        begin(new Exchange(target, HttpUtil.isKeepAlive(request), request.method().name(), outgoing, false));
    }

    /**
     * Starts one exchange whose body follows through {@link #body}; the client is read only as fast as the
     * registry takes the body.
     */
    void startStreaming(HttpRequest request, UpstreamTarget target) {
        URI uri = target.uri();
        HttpRequest outgoing = new DefaultHttpRequest(HttpVersion.HTTP_1_1, request.method(), pathAndQuery(uri));
        copyHeaders(request.headers(), outgoing.headers(), uri);
        if (HttpUtil.isTransferEncodingChunked(request)) {
            HttpUtil.setTransferEncodingChunked(outgoing, true);
        } else {
            outgoing.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpUtil.getContentLength(request, 0L));
        }
        Exchange exchange = new Exchange(target, HttpUtil.isKeepAlive(request), request.method().name(), outgoing, true);
        receiving = exchange;
        begin(exchange);
    }

    /** One chunk of the body of the exchange started by {@link #startStreaming}; takes ownership of it. */
    void body(HttpContent chunk) {
        Exchange exchange = receiving;
        if (exchange == null) {
            // The exchange ended early (the registry answered, or failed): the rest of the body is dropped.
            chunk.release();
            return;
        }
        if (chunk instanceof LastHttpContent) {
            receiving = null;
            exchange.bodyReceived = true;
        }
        exchange.clientBytes += chunk.content().readableBytes();
        exchange.queue.add(chunk);
        pumpBody(exchange);
    }

    /** The client sent a body the codec could not decode (bad chunk framing): end the exchange and the connection. */
    void bodyFailed(HttpContent chunk, Throwable cause) {
        chunk.release();
        Exchange exchange = receiving;
        receiving = null;
        if (exchange != null) {
            LOG.info("{} {} aborted: malformed request body: {}", exchange.method, RedactedUri.of(exchange.target.uri()), cause.toString());
            exchange.finished = true;
            exchange.releaseQueue();
        }
        closeUpstream();
        downstream.close();
    }

    private void begin(Exchange exchange) {
        active = exchange;
        downstream.config().setAutoRead(false);
        dispatch(exchange);
    }

    /**
     * Sends the exchange on an idle pooled connection to its registry when there is one, else on a new one (always
     * a new one for a retry).
     */
    private void dispatch(Exchange exchange) {
        exchange.connected = false;
        closeUpstream();
        ResponseRelay relay = new ResponseRelay();
        relay.begin(exchange);
        Channel pooled = exchange.retried ? null : pool.acquire(downstream.eventLoop(), exchange.base, relay);
        if (pooled != null) {
            exchange.reusedConnection = true;
            upstream = pooled;
            upstreamBase = exchange.base;
            send(exchange);
            return;
        }
        exchange.reusedConnection = false;
        ChannelFuture connect = connector.connect(downstream.eventLoop(), exchange.base, relay);
        upstream = connect.channel();
        upstreamBase = exchange.base;
        connect.addListener(done -> {
            if (exchange.finished) {
                return;
            }
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
        Object head = exchange.outgoing instanceof FullHttpRequest full ? full.retainedDuplicate() : exchange.outgoing;
        channel.writeAndFlush(head).addListener((ChannelFutureListener) written -> {
            if (written.isSuccess()) {
                // Read the answer in whole socket-read loops until the client's socket is full (see ResponseRelay).
                channel.config().setAutoRead(true);
            } else {
                upstreamFailed(exchange, 502, "upstream registry " + exchange.target.registry().name() + " closed the connection");
            }
        });
        if (exchange.streaming) {
            exchange.connected = true;
            pumpBody(exchange);
        }
    }

    /**
     * Writes the queued body chunks while the upstream takes them, then asks the client for more. Called when a
     * chunk arrives, when the upstream connection is ready and when it becomes writable again.
     */
    private void pumpBody(Exchange exchange) {
        if (exchange.finished || !exchange.connected || exchange.early) {
            return;
        }
        Channel channel = upstream;
        boolean wrote = false;
        while (!exchange.queue.isEmpty() && channel.isWritable()) {
            HttpContent chunk = exchange.queue.poll();
            exchange.chunksSent++;
            if (chunk instanceof LastHttpContent) {
                exchange.bodySent = true;
            }
            channel.write(chunk).addListener((ChannelFutureListener) written -> {
                if (!written.isSuccess() && !exchange.finished) {
                    LOG.warn("upstream {} failed while receiving the body of {} {} ({} bytes from the client): {}",
                            exchange.target.registry().name(), exchange.method, RedactedUri.of(exchange.target.uri()),
                            exchange.clientBytes, written.cause().toString());
                    upstreamFailed(exchange, 502, "upstream registry " + exchange.target.registry().name()
                            + " closed the connection while receiving the request body");
                }
            });
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        if (receiving == exchange && exchange.queue.isEmpty() && channel.isWritable()) {
            downstream.read();
        }
    }

    /**
     * The upstream broke before answering. A kept connection the registry had already closed is retried once on a
     * fresh one when nothing of the body has been handed to it yet; anything else is the client's error response.
     */
    private void upstreamFailed(Exchange exchange, int status, String reason) {
        if (exchange.finished) {
            return;
        }
        if (exchange.reusedConnection && !exchange.headSent && !exchange.retried && exchange.chunksSent == 0) {
            exchange.retried = true;
            closeUpstream();
            dispatch(exchange);
            return;
        }
        fail(exchange, status, reason);
    }

    /** Ends the exchange on a failure: 5xx to the client if no response began, else the client connection closes. */
    private void fail(Exchange exchange, int status, String reason) {
        if (exchange.finished) {
            return;
        }
        finish(exchange);
        closeUpstream();
        if (exchange.headSent) {
            downstream.close();
            return;
        }
        exchange.headSent = true;
        if (exchange.streaming && !exchange.bodyReceived) {
            FullHttpResponse response = Responses.errorResponse(status, reason, Responses.ERROR_TYPE_PROXY);
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ConnectionDrain.closeAfter(downstream, downstream.writeAndFlush(response));
            return;
        }
        Responses.error(downstream, status, reason, !exchange.keepAlive);
        downstream.config().setAutoRead(true);
    }

    /** The exchange is over for the relay: nothing more is sent upstream for it and its queued body is dropped. */
    private void finish(Exchange exchange) {
        exchange.finished = true;
        ReferenceCountUtil.release(exchange.outgoing);
        exchange.releaseQueue();
        if (receiving == exchange) {
            receiving = null;
        }
        if (active == exchange) {
            active = null;
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

    /** The client connection closed: whatever it was sending or waiting for, the upstream connection goes too. */
    private void clientGone() {
        Exchange exchange = active;
        if (exchange != null && !exchange.finished) {
            if (exchange.streaming && !exchange.bodyReceived) {
                LOG.info("client left during the body of {} {} after {} bytes; upstream connection closed", exchange.method,
                        RedactedUri.of(exchange.target.uri()), exchange.clientBytes);
            }
            finish(exchange);
        }
        closeUpstream();
    }

    /** The exchange on the upstream connection is complete and the registry keeps it open: back to the pool. */
    private void releaseUpstream() {
        Channel channel = upstream;
        URI base = upstreamBase;
        upstream = null;
        upstreamBase = null;
        if (channel != null) {
            pool.release(channel, base);
        }
    }

    private void closeUpstream() {
        if (upstream != null) {
            ResponseRelay relay = upstream.pipeline().get(ResponseRelay.class);
            if (relay != null) {
                relay.begin(null);
            }
            upstream.close();
            upstream = null;
            upstreamBase = null;
        }
    }

    private static String pathAndQuery(URI uri) {
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    /** End-to-end headers of the client, then Host for the upstream; the mirror's own header is not forwarded. */
    private static void copyHeaders(HttpHeaders from, HttpHeaders to, URI uri) {
        for (Map.Entry<String, String> header : from) {
            if (!HopByHopHeaders.isHopByHop(header.getKey())) {
                to.add(header.getKey(), header.getValue());
            }
        }
        to.remove(UpstreamResolver.REGISTRY_HEADER);
        to.set(HttpHeaderNames.HOST, uri.getRawAuthority());
    }

    /** One request in flight; holds the request head to send (again, on a retry) until the exchange ends. */
    private static final class Exchange {
        final UpstreamTarget target;
        final boolean keepAlive;
        final String method;
        final HttpRequest outgoing;
        final URI base;
        final boolean streaming;
        /** Body chunks received from the client and not yet handed to the upstream connection. */
        final ArrayDeque<HttpContent> queue = new ArrayDeque<>();
        boolean reusedConnection;
        boolean retried;
        boolean connected;
        boolean headSent;
        /** The client's last body chunk arrived. */
        boolean bodyReceived;
        /** The last body chunk was handed to the upstream connection. */
        boolean bodySent;
        /** The registry answered before the client's whole body arrived: the rest is dropped. */
        boolean early;
        boolean finished;
        long chunksSent;
        long clientBytes;
        long bytes;

        Exchange(UpstreamTarget target, boolean keepAlive, String method, HttpRequest outgoing, boolean streaming) {
            this.target = target;
            this.keepAlive = keepAlive;
            this.method = method;
            this.outgoing = outgoing;
            this.streaming = streaming;
            URI uri = target.uri();
            this.base = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
        }

        void releaseQueue() {
            HttpContent chunk;
            while ((chunk = queue.poll()) != null) {
                chunk.release();
            }
        }
    }

    /** The upstream channel's last handler: relays each response object to the client. */
    private final class ResponseRelay extends ChannelInboundHandlerAdapter {
        private Exchange exchange;
        private boolean upstreamKeepAlive;
        /** An informational (1xx) head was relayed; the empty content the codec emits after it is swallowed. */
        private boolean informational;
        private boolean readPending;
        /** Response buffers were written to the client since the last flush. */
        private boolean unflushed;

        void begin(Exchange next) {
            exchange = next;
            informational = false;
            readPending = false;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (exchange == null) {
                ReferenceCountUtil.release(msg);
                return;
            }
            Exchange current = exchange;
            if (msg instanceof HttpResponse head && head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                informational(ctx, head);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (informational && msg instanceof LastHttpContent) {
                informational = false;
                ReferenceCountUtil.release(msg);
                ctx.read();
                return;
            }
            if (msg instanceof HttpResponse head) {
                upstreamKeepAlive = HttpUtil.isKeepAlive(head);
                HttpHeaders headers = head.headers();
                for (String name : new String[] {"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Connection", "TE",
                        "Trailer", "Upgrade"}) {
                    headers.remove(name);
                }
                LocationRewriter.apply(headers, current.target);
                if (head.status().code() >= 400) {
                    headers.set(Responses.ERROR_TYPE, Responses.ERROR_TYPE_BACKEND);
                }
                if (current.streaming && !current.bodyReceived) {
                    // The registry answered before the whole body: drop the rest and end the client connection after.
                    current.early = true;
                    current.releaseQueue();
                    receiving = null;
                    LOG.info("upstream {} answered {} {} with {} before the request body ended ({} bytes received)",
                            current.target.registry().name(), current.method, RedactedUri.of(current.target.uri()),
                            head.status().code(), current.clientBytes);
                }
                if (!current.keepAlive || current.early) {
                    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                head.setProtocolVersion(HttpVersion.HTTP_1_1);
                current.headSent = true;
            }
            if (msg instanceof HttpContent content) {
                current.bytes += content.content().readableBytes();
            }
            if (msg instanceof LastHttpContent) {
                unflushed = false;
                end(current, downstream.writeAndFlush(msg));
                return;
            }
            // A head waits for the body bytes that follow it (same read: one write to the client, or the flush in
            // channelReadComplete); each body buffer (one socket read) is flushed as it comes.
            boolean content = msg instanceof HttpContent;
            ChannelFuture write = content ? downstream.writeAndFlush(msg) : downstream.write(msg);
            unflushed = !content;
            write.addListener((ChannelFutureListener) done -> {
                if (!done.isSuccess()) {
                    LOG.debug("client left during {} {}", current.method, RedactedUri.of(current.target.uri()));
                    ctx.close();
                    downstream.close();
                }
            });
            if (!downstream.isWritable()) {
                // The client's socket is past its high-water mark: stop reading the upstream (the read loop ends
                // after this read) until it drains below the low-water mark (resumeUpstream()).
                ctx.channel().config().setAutoRead(false);
                readPending = true;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (unflushed) {
                unflushed = false;
                downstream.flush();
            }
            ctx.fireChannelReadComplete();
        }

        /** Relays {@code 100 Continue} (and other 1xx but 101) to the client, then reads on for the final answer. */
        private void informational(ChannelHandlerContext ctx, HttpResponse head) {
            informational = true;
            if (head.status().code() != 101) {
                FullHttpResponse relayed = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(), Unpooled.EMPTY_BUFFER);
                downstream.writeAndFlush(relayed);
            }
        }

        /** The response's last buffer went to the client: the exchange is over. */
        private void end(Exchange current, ChannelFuture write) {
            exchange = null;
            boolean upstreamReusable = upstreamKeepAlive && (!current.streaming || current.bodySent);
            finish(current);
            LOG.debug("{} {} -> {} bytes", current.method, RedactedUri.of(current.target.uri()), current.bytes);
            if (upstreamReusable) {
                releaseUpstream();
            } else {
                closeUpstream();
            }
            if (current.early) {
                ConnectionDrain.closeAfter(downstream, write);
                return;
            }
            write.addListener((ChannelFutureListener) done -> {
                if (!done.isSuccess() || !current.keepAlive) {
                    downstream.close();
                    return;
                }
                downstream.config().setAutoRead(true);
            });
        }

        void resume(ChannelHandlerContext ctx) {
            if (readPending && exchange != null) {
                readPending = false;
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Exchange current = exchange;
            if (current != null && current.streaming && ctx.channel().isWritable()) {
                pumpBody(current);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (exchange != null) {
                Exchange current = exchange;
                exchange = null;
                LOG.warn("upstream {} closed mid-exchange after {} bytes", current.target.registry().name(), current.bytes);
                upstreamFailed(current, 502, "upstream registry " + current.target.registry().name() + " closed the connection");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            if (exchange != null) {
                Exchange current = exchange;
                exchange = null;
                boolean timeout = cause instanceof ReadTimeoutException;
                LOG.warn("upstream {} failed: {}", current.target.registry().name(), timeout ? "idle timeout" : cause.toString());
                upstreamFailed(current, timeout ? 504 : 502, "upstream registry " + current.target.registry().name()
                        + (timeout ? " did not answer in time" : " failed: " + cause.getClass().getSimpleName()));
            }
        }
    }
}
