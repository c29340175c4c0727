package dev.damselfly.proxy;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's listening socket and its event loops (which also carry the upstream halves). Close it to stop everything. */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final P2pRouter p2p;

    private ProxyServer(EventLoopGroup group, Channel listener, P2pRouter p2p) {
        this.group = group;
        this.listener = listener;
        this.p2p = p2p;
    }

    /**
     * Binds and starts serving; fails with an {@link IOException} naming the address when it cannot bind, or with a
     * {@link dev.damselfly.proxy.intercept.CaFileException} naming the file when HTTPS interception's CA cannot be read
     * or generated (before anything listens).
     */
    public static ProxyServer start(ProxyConfig config) throws IOException {
        HttpsInterceptor interceptor = config.httpsInterception().isPresent()
                ? HttpsInterceptor.create(config.httpsInterception().get()) : null;
        ProxyMetrics metrics = new ProxyMetrics(config.meterRegistry().orElseGet(CompositeMeterRegistry::new));
        RequestRateLimiter limiter = config.requestRateLimit() > 0
                ? new RequestRateLimiter(config.requestRateLimit(), config.effectiveRequestRateBurst(), System::nanoTime, metrics) : null;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.eventLoopThreads(), NioIoHandler.newFactory());
        UpstreamConnector connector = new UpstreamConnector(config);
        P2pRouter p2p = config.blobFetcher().map(fetcher -> new P2pRouter(config, fetcher, connector, metrics)).orElse(null);
        ProxyFrontHandler.Shared shared = new ProxyFrontHandler.Shared(config, new UpstreamResolver(config), connector,
                new UpstreamPool(), p2p, new MetricsHandler(metrics), interceptor, limiter);
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // Up to 1 MiB unsent per client before the upstream read pauses.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                    .childHandler(new ProxyChannelInitializer(config, shared))
                    .bind(config.listen()).sync().channel();
            LOG.info("proxy listening on {} for registries {}; p2p {}", listener.localAddress(),
                    config.registries().stream().map(RegistryUpstream::name).toList(),
                    p2p == null ? "off" : "rules " + config.rules());
            if (interceptor != null) {
                LOG.info("proxy intercepts HTTPS CONNECTs to {} with the CA in {} (clients must trust it)", interceptor.hosts(),
                        interceptor.caCertificateFile());
            }
            if (limiter != null) {
                LOG.info("proxy limits requests to {}/s per client address, burst {}", config.requestRateLimit(),
                        config.effectiveRequestRateBurst());
            }
            return new ProxyServer(group, listener, p2p);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (p2p != null) {
                p2p.close();
            }
            throw new IOException("cannot listen on " + config.listen() + ": " + e.getMessage(), e);
        }
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** {@code host:port} of the bound address. */
    public String hostPort() {
        return address().getHostString() + ":" + address().getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (p2p != null) {
            p2p.close();
        }
    }
}
