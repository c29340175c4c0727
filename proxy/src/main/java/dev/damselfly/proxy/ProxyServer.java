package dev.damselfly.proxy;

import dev.damselfly.oci.registry.RegistryHttpClients;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The proxy's listening socket, its event loops and its worker pool. Close it to stop everything. */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final ExecutorService workers;
    private final CloseableHttpClient upstream;
    private final Channel listener;

    private ProxyServer(EventLoopGroup group, ExecutorService workers, CloseableHttpClient upstream, Channel listener) {
        this.group = group;
        this.workers = workers;
        this.upstream = upstream;
        this.listener = listener;
    }

    /** Binds and starts serving; fails with an {@link IOException} naming the address when it cannot bind. */
    public static ProxyServer start(ProxyConfig config) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        AtomicInteger counter = new AtomicInteger();
        ExecutorService workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "proxy-worker-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        ((ThreadPoolExecutor) workers).allowCoreThreadTimeOut(true);
        CloseableHttpClient upstream = RegistryHttpClients.create(config.upstreamClient());
        ProxyFrontHandler.Shared shared = new ProxyFrontHandler.Shared(config, new UpstreamResolver(config),
                new PassThroughExchange(upstream, config.upstreamTimeout().toMillis()), workers);
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ProxyChannelInitializer(config, shared))
                    .bind(config.listen()).sync().channel();
            LOG.info("proxy listening on {} for registries {}", listener.localAddress(),
                    config.registries().stream().map(RegistryUpstream::name).toList());
            return new ProxyServer(group, workers, upstream, listener);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownNow();
            upstream.close();
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
        workers.shutdownNow();
        try {
            upstream.close();
        } catch (IOException ignored) {
            // Idle upstream sockets; nothing to report.
        }
    }
}
