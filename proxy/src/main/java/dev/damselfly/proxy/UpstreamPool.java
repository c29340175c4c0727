package dev.damselfly.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idle keep-alive connections to upstream registries, shared by all client connections of one event loop, so a
 * client that opens a new connection per request (or many in parallel) does not pay a TCP connect, a DNS lookup and,
 * for {@code https} registries, a TLS handshake each time. Connections are kept per event loop (an exchange runs
 * on its client connection's loop, never handing off between threads) and per upstream base
 * ({@code scheme://host:port}); the most recently used one is handed out first.
 *
 * <p>A parked connection keeps reading: an origin that closes it (its own idle timeout) is noticed at once and the
 * connection leaves the pool; bytes arriving on a parked connection (nothing was asked) close it. Connections idle
 * longer than the upstream timeout are closed by their {@link UpstreamIdleTimeout}. A connection the origin closed
 * just as it was handed out fails its exchange before any response byte, and {@link PassThroughRelay} retries that
 * exchange once on a fresh connection.
 *
 * <p>All methods must be called on {@code loop}'s thread for the channel's own loop.
 */
final class UpstreamPool {
    /** Most idle connections kept per event loop and upstream: 16. More are closed when returned. */
    static final int MAX_IDLE_PER_UPSTREAM = 16;
    /** Name of the last handler of an upstream pipeline (see {@link UpstreamConnector}). */
    static final String HANDLER = "relay";

    private final Map<EventLoop, Map<URI, ArrayDeque<Channel>>> idle = new ConcurrentHashMap<>();

    /**
     * An idle, open connection of {@code loop} to {@code base} with {@code handler} installed as its last handler, or
     * null when there is none.
     */
    Channel acquire(EventLoop loop, URI base, ChannelHandler handler) {
        ArrayDeque<Channel> channels = channels(loop, base);
        Channel channel;
        while ((channel = channels.pollLast()) != null) {
            if (channel.isActive()) {
                channel.pipeline().replace(HANDLER, HANDLER, handler);
                return channel;
            }
        }
        return null;
    }

    /** Parks {@code channel} (connected to {@code base}, its last response read completely) for reuse. */
    void release(Channel channel, URI base) {
        ArrayDeque<Channel> channels = channels(channel.eventLoop(), base);
        if (!channel.isActive() || channels.size() >= MAX_IDLE_PER_UPSTREAM) {
            channel.close();
            return;
        }
        channel.pipeline().replace(HANDLER, HANDLER, new Parked(channels));
        channels.addLast(channel);
        // One read outstanding while parked, so an origin's close (or stray bytes) is seen without waiting for the
        // next request; the next exchange turns reading on again.
        channel.config().setAutoRead(false);
        channel.read();
    }

    /** Number of idle connections of {@code loop} to {@code base} (for tests and metrics). */
    int idleCount(EventLoop loop, URI base) {
        Map<URI, ArrayDeque<Channel>> byBase = idle.get(loop);
        ArrayDeque<Channel> channels = byBase == null ? null : byBase.get(base);
        return channels == null ? 0 : channels.size();
    }

    private ArrayDeque<Channel> channels(EventLoop loop, URI base) {
        return idle.computeIfAbsent(loop, l -> new HashMap<>()).computeIfAbsent(base, b -> new ArrayDeque<>());
    }

    /** The last handler of a parked connection: nothing is expected, so anything read (or a close) ends it. */
    private static final class Parked extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Channel> pool;

        Parked(ArrayDeque<Channel> pool) {
            this.pool = pool;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pool.remove(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
