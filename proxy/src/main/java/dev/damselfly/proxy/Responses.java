package dev.damselfly.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small complete responses the proxy writes itself (errors, health). */
final class Responses {
    /** Dragonfly's error-source header: {@code proxy} for our refusals, {@code backend} for the origin's. */
    static final String ERROR_TYPE = "X-Dragonfly-Error-Type";
    /** Error type of a refusal or failure of the proxy itself (bad request, not allowed, upstream unreachable). */
    static final String ERROR_TYPE_PROXY = "proxy";
    /** Error type of the origin's own answer, replayed. */
    static final String ERROR_TYPE_BACKEND = "backend";
    /** Error type of a failure of the P2P engine (the {@code BlobFetcher}). */
    static final String ERROR_TYPE_DFDAEMON = "dfdaemon";

    private Responses() {
    }

    /** A text/plain error answered by the proxy itself; closes the connection when {@code close}. */
    static void error(ChannelOutboundInvoker ctx, int status, String reason, boolean close) {
        error(ctx, status, reason, close, ERROR_TYPE_PROXY, null);
    }

    /**
     * A text/plain error of the given {@code errorType}; {@code then} (may be null) runs when the write ends,
     * unless the connection is closed for {@code close}.
     */
    static void error(ChannelOutboundInvoker ctx, int status, String reason, boolean close, String errorType,
            ChannelFutureListener then) {
        FullHttpResponse response = errorResponse(status, reason, errorType);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else if (then != null) {
            ctx.writeAndFlush(response).addListener(then);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    /** The answer to a refusal: its status and reason, and {@code Retry-After} when it carries one. */
    static FullHttpResponse refusal(ProxyException refused) {
        FullHttpResponse response = errorResponse(refused.status(), refused.getMessage(), ERROR_TYPE_PROXY);
        if (refused.retryAfterSeconds() > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, refused.retryAfterSeconds());
        }
        return response;
    }

    /** Writes {@link #refusal}; closes the connection when {@code close}. */
    static void refuse(ChannelOutboundInvoker ctx, ProxyException refused, boolean close) {
        FullHttpResponse response = refusal(refused);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    /** The response {@link #error} writes. */
    static FullHttpResponse errorResponse(int status, String reason, String errorType) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        response.headers().set(ERROR_TYPE, errorType);
        return response;
    }

    /** 200 with an empty body. */
    static void ok(ChannelOutboundInvoker ctx, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
