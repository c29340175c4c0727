package dev.damselfly.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * Per-connection pipeline: HTTP/1.1 codec → request and failure counters → aggregation of bodiless requests (bodies
 * up to 1 MiB; uploads pass unaggregated, their bodies streamed) → the front handler.
 */
final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
    /**
     * Bodies of aggregated requests (GET, HEAD, refused methods) larger than this get 413: 1 MiB. Upload bodies
     * (PUT, POST, PATCH, DELETE, OPTIONS) are streamed and have no limit here.
     */
    static final int MAX_REQUEST_BODY_BYTES = 1 << 20;
    private static final String CODEC = "http-codec";
    private static final String METRICS = "http-metrics";
    private static final String AGGREGATOR = "http-aggregator";
    private static final String FRONT = "proxy-front";
    private static final String TLS = "intercept-tls";

    private final ProxyConfig config;
    private final ProxyFrontHandler.Shared shared;

    ProxyChannelInitializer(ProxyConfig config, ProxyFrontHandler.Shared shared) {
        this.config = config;
        this.shared = shared;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        addHttpHandlers(channel.pipeline(), config, shared, null);
    }

    private static void addHttpHandlers(ChannelPipeline pipeline, ProxyConfig config, ProxyFrontHandler.Shared shared,
            RegistryUpstream intercepted) {
        pipeline.addLast(CODEC, new HttpServerCodec(config.maxInitialLineBytes(), config.maxHeaderBytes(), 64 * 1024));
        pipeline.addLast(METRICS, shared.metricsHandler());
        pipeline.addLast(AGGREGATOR, new BodilessRequestAggregator(MAX_REQUEST_BODY_BYTES));
        pipeline.addLast(FRONT, new ProxyFrontHandler(shared, intercepted));
    }

    /**
     * After an intercepted CONNECT's 200: TLS ({@code tls}) first, then a fresh HTTP pipeline whose front handler serves
     * every request as one to {@code registry}. Bytes the old decoder already held (an eager ClientHello) flow to the
     * TLS handler.
     */
    static void interceptTls(ChannelPipeline pipeline, ChannelHandler tls, ProxyFrontHandler.Shared shared, RegistryUpstream registry) {
        pipeline.remove(FRONT);
        pipeline.remove(AGGREGATOR);
        pipeline.remove(METRICS);
        pipeline.addAfter(CODEC, TLS, tls);
        pipeline.remove(CODEC);
        addHttpHandlers(pipeline, shared.config(), shared, registry);
    }

    /** Turns the connection into a raw byte pipe (after CONNECT). */
    static void removeHttpHandlers(ChannelPipeline pipeline) {
        pipeline.remove(FRONT);
        pipeline.remove(AGGREGATOR);
        pipeline.remove(METRICS);
        pipeline.remove(CODEC);
    }
}
