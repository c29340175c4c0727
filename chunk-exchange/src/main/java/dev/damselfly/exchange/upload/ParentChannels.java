package dev.damselfly.exchange.upload;

import dev.damselfly.exchange.ParentEndpoint;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One plaintext gRPC {@link ManagedChannel} per parent address ({@code ip:grpcPort}), created on first use and kept
 * until {@link #close()}, so the SyncPieces and SyncHost streams to one parent share a connection. Thread-safe.
 */
final class ParentChannels implements AutoCloseable {
    private final EventLoopGroup group;
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param group a NIO event-loop group to share (its owner shuts it down), or {@code null} for gRPC's own */
    ParentChannels(EventLoopGroup group) {
        this.group = group;
    }

    /**
     * The channel to {@code parent}'s DfdaemonUpload port.
     *
     * @throws IllegalStateException once closed
     */
    ManagedChannel to(ParentEndpoint parent) {
        if (closed) {
            throw new IllegalStateException("parent channels are closed");
        }
        return channels.computeIfAbsent(parent.address(), a -> {
            NettyChannelBuilder b = NettyChannelBuilder.forAddress(parent.ip(), parent.grpcPort()).usePlaintext();
            if (group != null) {
                b.eventLoopGroup(group).channelType(NioSocketChannel.class);
            }
            return b.build();
        });
    }

    boolean closed() {
        return closed;
    }

    /** Shuts every channel down (open streams end with an error), waiting up to 2 s for each. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        for (ManagedChannel c : channels.values()) {
            try {
                c.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        channels.clear();
    }
}
