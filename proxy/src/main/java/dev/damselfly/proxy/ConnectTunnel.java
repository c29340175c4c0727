package dev.damselfly.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a {@code CONNECT} tunnel to an allowed registry and passes its bytes through untouched (TLS
 * stays end to end between the client and the registry). Runs on the connection's event loop.
 */
final class ConnectTunnel {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectTunnel.class);

    private ConnectTunnel() {
    }

    static void open(ChannelHandlerContext ctx, RegistryUpstream registry, String host, int port, int connectTimeoutMillis) {
        Channel inbound = ctx.channel();
        inbound.config().setAutoRead(false);
        Bootstrap bootstrap = new Bootstrap()
                .group(inbound.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new RelayHandler(inbound));
        ChannelFuture connect = bootstrap.connect(host, port);
        connect.addListener(future -> {
            if (!future.isSuccess()) {
                LOG.warn("CONNECT {}:{} ({}) failed: {}", host, port, registry.name(), future.cause().toString());
                inbound.config().setAutoRead(true);
                Responses.error(ctx, 502, "cannot reach " + host + ":" + port, true);
                return;
            }
            Channel outbound = connect.channel();
            inbound.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    new HttpResponseStatus(200, "Connection Established"))).addListener(written -> {
                if (!written.isSuccess()) {
                    outbound.close();
                    inbound.close();
                    return;
                }
                ChannelPipeline pipeline = inbound.pipeline();
                // The relay goes in first: bytes the HTTP decoder already holds (an eager ClientHello) flow to it.
                pipeline.addLast(new RelayHandler(outbound));
                ProxyChannelInitializer.removeHttpHandlers(pipeline);
                inbound.read();
                outbound.read();
                LOG.debug("tunnel open to {}:{} ({})", host, port, registry.name());
            });
        });
    }
}
