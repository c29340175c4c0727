package dev.damselfly.proxy;

import dev.damselfly.oci.registry.RegistryHttpClients;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.URI;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Opens connections to upstream registries on the caller's event loop (no thread hand-off between the
 * two halves of an exchange): TLS with the node's trust roots and hostname verification for
 * {@code https} upstreams, an HTTP/1.1 client codec whose content chunks are up to
 * {@value #MAX_CHUNK_BYTES} bytes, and an idle timeout (nothing read or written; see {@link UpstreamIdleTimeout}).
 */
final class UpstreamConnector {
    /** Largest content chunk passed on at once: 1 MiB (a whole socket read, not 8 KiB slices). */
    static final int MAX_CHUNK_BYTES = 1 << 20;

    private final SslContext tls;
    private final ProxyConfig config;

    UpstreamConnector(ProxyConfig config) {
        this.config = config;
        this.tls = new JdkSslContext(RegistryHttpClients.sslContext(config.upstreamClient()), true, ClientAuth.NONE);
    }

    /** Connects to {@code upstream}'s authority; the pipeline ends with {@code responseHandler}. */
    ChannelFuture connect(EventLoop loop, URI upstream, ChannelHandler responseHandler) {
        String host = upstream.getHost();
        boolean https = "https".equals(upstream.getScheme());
        int port = upstream.getPort() >= 0 ? upstream.getPort() : https ? 443 : 80;
        return new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.upstreamTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                // Socket reads grow up to 1 MiB for blob bodies instead of Netty's 64 KiB default.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 64 * 1024, MAX_CHUNK_BYTES))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (https) {
                            SSLEngine engine = tls.newEngine(channel.alloc(), host, port);
                            SSLParameters parameters = engine.getSSLParameters();
                            parameters.setEndpointIdentificationAlgorithm("HTTPS");
                            engine.setSSLParameters(parameters);
                            channel.pipeline().addLast("tls", new SslHandler(engine));
                        }
                        channel.pipeline().addLast("idle", new UpstreamIdleTimeout(config.upstreamTimeout().toMillis()));
                        channel.pipeline().addLast("codec", new HttpClientCodec(4096, 64 * 1024, MAX_CHUNK_BYTES));
                        channel.pipeline().addLast(UpstreamPool.HANDLER, responseHandler);
                    }
                })
                .connect(host, port);
    }
}
