package dev.damselfly.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Counts requests as they are decoded and failures as the proxy answers them (responses carrying
 * {@code X-Dragonfly-Error-Type: proxy} or {@code dfdaemon}). Sits right after the HTTP codec; one instance
 * serves every connection.
 */
@ChannelHandler.Sharable
final class MetricsHandler extends ChannelDuplexHandler {
    private final ProxyMetrics metrics;

    MetricsHandler(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            metrics.request();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            String type = response.headers().get(Responses.ERROR_TYPE);
            if (Responses.ERROR_TYPE_PROXY.equals(type) || Responses.ERROR_TYPE_DFDAEMON.equals(type)) {
                metrics.failure();
            }
        }
        ctx.write(msg, promise);
    }
}
