package dev.damselfly.proxy;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the origin whether a client may read a blob: a {@code HEAD} of the blob URL carrying only
 * {@code Host}, the client's {@code Authorization} (when it sent one) and our {@code User-Agent} — no other
 * client header, nothing else secret. Runs on the client connection's event loop on a connection of its
 * own, closed after the answer.
 */
final class AuthorizationProbe {
    /** Status reported when the origin could not be asked (unreachable, reset, timed out): -1. */
    static final int UNREACHABLE = -1;
    private static final Logger LOG = LoggerFactory.getLogger(AuthorizationProbe.class);
    private static final String USER_AGENT = "damselfly-proxy";

    private final UpstreamConnector connector;

    AuthorizationProbe(UpstreamConnector connector) {
        this.connector = connector;
    }

    /**
     * Sends the HEAD; {@code onStatus} runs once on {@code loop} with the origin's status code or
     * {@link #UNREACHABLE}.
     */
    void check(EventLoop loop, URI blobUrl, String authorization, IntConsumer onStatus) {
        URI base = URI.create(blobUrl.getScheme() + "://" + blobUrl.getRawAuthority());
        FullHttpRequest head = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.HEAD,
                blobUrl.getRawPath() + (blobUrl.getRawQuery() == null ? "" : "?" + blobUrl.getRawQuery()));
        head.headers().set(HttpHeaderNames.HOST, blobUrl.getRawAuthority());
        head.headers().set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (authorization != null) {
            head.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        StatusCatcher catcher = new StatusCatcher(blobUrl, onStatus);
        ChannelFuture connect = connector.connect(loop, base, catcher);
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                head.release();
                LOG.warn("authorization HEAD {} failed: cannot connect: {}", RedactedUri.of(blobUrl), done.cause().toString());
                catcher.finish(UNREACHABLE);
                return;
            }
            connect.channel().writeAndFlush(head).addListener(written -> {
                if (written.isSuccess()) {
                    connect.channel().read();
                } else {
                    catcher.finish(UNREACHABLE);
                    connect.channel().close();
                }
            });
        });
    }

    /** Waits for the response head and its end, then reports the status once and closes the connection. */
    private static final class StatusCatcher extends ChannelInboundHandlerAdapter {
        private final URI blobUrl;
        private final IntConsumer onStatus;
        private int status = UNREACHABLE;
        private boolean finished;

        StatusCatcher(URI blobUrl, IntConsumer onStatus) {
            this.blobUrl = blobUrl;
            this.onStatus = onStatus;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse response) {
                    status = response.status().code();
                }
                if (msg instanceof LastHttpContent) {
                    finish(status);
                    ctx.close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!finished) {
                ctx.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!finished) {
                LOG.warn("authorization HEAD {} failed: the origin closed the connection", RedactedUri.of(blobUrl));
            }
            finish(UNREACHABLE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!finished) {
                LOG.warn("authorization HEAD {} failed: {}", RedactedUri.of(blobUrl), cause.toString());
            }
            finish(UNREACHABLE);
            ctx.close();
        }

        void finish(int code) {
            if (!finished) {
                finished = true;
                onStatus.accept(code);
            }
        }
    }
}
