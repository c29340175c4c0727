package dev.damselfly.exchange.vortex;

import dev.damselfly.exchange.TokenBucket;
import dev.damselfly.piecestore.PieceStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vortex TCP piece server (spec §2.5): one DownloadPiece request per connection, answered with the stored
 * piece (header + metadata, then the body zero-copy from the content file) or an Error packet (NOT_FOUND for an
 * unknown task or piece, INVALID_ARGUMENT for a malformed request, INTERNAL when busy or failing), then the
 * connection is closed.
 *
 * <p>Before a piece is served it waits for the upload rate limit (by piece length); at most
 * {@code maxConcurrentUploads} pieces are served at once and further requests are refused with INTERNAL so the
 * child tries another parent. While it sends other pieces, a request for a piece it is sending to another child, or
 * sent less than {@linkplain #repeatHold(Duration) the repeat hold} ago, is deflected with INTERNAL too ("first copies
 * first", {@link RecentCopies}): the child asks for another piece, and gets this one from the child that has it.
 * Meters: see {@link UploadMetrics}. Thread-safe; {@link #close()} stops it.
 */
public final class VortexPieceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VortexPieceServer.class);
    /** Dragonfly's Vortex TCP port: 4005. */
    public static final int DEFAULT_PORT = 4005;
    /**
     * Default cap on pieces served at once: 8. Few slots, as BitTorrent's unchoked peers: each piece leaves at a
     * useful share of the link and the child can pass it on seconds later, where 64 slots let a parent that every
     * child wants (the first node of a rolling update) send 64 pieces at 1/64 of its link each, so that all children
     * got the same pieces at the same time, late (BENCHMARKS.md, "Cluster S2 rolling: 64 vs 8 upload slots").
     */
    public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 8;
    /**
     * Default repeat hold: 2 s. In the S2 rolling benchmark (8 nodes, 10 s apart) the first node, alone with the newest
     * pieces, sent 419 copies of 256 pieces without it and 347 with it, and the slowest node's time fell from 1.92 to
     * about 1.55·T*; holds of 8 s and 30 s deflected more requests without gaining more (BENCHMARKS.md, "Cluster S2
     * rolling: first copies first").
     */
    public static final Duration DEFAULT_REPEAT_HOLD = Duration.ofSeconds(2);
    /** A connection that sends no complete request within this many seconds is closed: 30 s. */
    public static final int REQUEST_TIMEOUT_SECONDS = 30;
    /** A body write that does not complete within this many seconds fails (Dragonfly's pieceTimeout): 360 s. */
    public static final int WRITE_TIMEOUT_SECONDS = 360;

    private final PieceStore store;
    private final String hostId;
    private final TokenBucket uploadRate;
    private final int maxConcurrentUploads;
    private final UploadFaults faults;
    private final UploadMetrics metrics;
    private final ExecutorService executor;
    private Duration repeatHold = DEFAULT_REPEAT_HOLD;
    private EventLoopGroup ownGroup;
    private Channel serverChannel;
    private boolean closed;

    /**
     * @param store                the pieces to serve
     * @param hostId               this node's host id, sent as the parent id in PieceContent metadata
     * @param uploadRate           upload limit, bytes/s ({@link TokenBucket#unlimited()} for none)
     * @param maxConcurrentUploads pieces served at once, ≥ 1 (default {@value #DEFAULT_MAX_CONCURRENT_UPLOADS})
     * @param faults               TEST-ONLY fault switch; {@link UploadFaults#NONE} on a real node
     * @param registry             where the upload meters go
     */
    public VortexPieceServer(PieceStore store, String hostId, TokenBucket uploadRate, int maxConcurrentUploads,
                             UploadFaults faults, MeterRegistry registry) {
        this.store = Objects.requireNonNull(store, "store");
        this.hostId = Objects.requireNonNull(hostId, "hostId");
        this.uploadRate = Objects.requireNonNull(uploadRate, "uploadRate");
        if (maxConcurrentUploads < 1) {
            throw new IllegalArgumentException("maxConcurrentUploads must be ≥ 1, was " + maxConcurrentUploads);
        }
        this.maxConcurrentUploads = maxConcurrentUploads;
        this.faults = Objects.requireNonNull(faults, "faults");
        this.metrics = new UploadMetrics(Objects.requireNonNull(registry, "registry"));
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "vortex-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sets the repeat hold (before {@link #start}): how long after a copy of a piece ended a request for the same piece
     * is deflected while other pieces are being sent; {@link Duration#ZERO} serves every request. Default
     * {@link #DEFAULT_REPEAT_HOLD}.
     */
    public synchronized VortexPieceServer repeatHold(Duration hold) {
        if (hold.isNegative()) {
            throw new IllegalArgumentException("repeat hold must be ≥ 0, was " + hold);
        }
        if (serverChannel != null) {
            throw new IllegalStateException("piece server already started");
        }
        this.repeatHold = hold;
        return this;
    }

    /**
     * Binds and starts serving.
     *
     * @param bind  address and port (port 0 = ephemeral, see {@link #port()})
     * @param group a NIO event-loop group to share (Netty 4.2 {@code MultiThreadIoEventLoopGroup} with
     *              {@code NioIoHandler}; the caller shuts it down), or {@code null} to make a private one
     */
    public synchronized VortexPieceServer start(InetSocketAddress bind, EventLoopGroup group) {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("piece server already started or closed");
        }
        if (faults.enabled()) {
            LOG.warn("TEST-ONLY upload faults are ON: corrupt_ratio={} fail_sync_host={}", faults.corruptRatio(),
                    faults.failSyncHost());
        }
        EventLoopGroup loops = group;
        if (loops == null) {
            ownGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
            loops = ownGroup;
        }
        PieceUploader uploader = new PieceUploader(store, hostId, uploadRate, maxConcurrentUploads, faults, metrics,
                executor, new RecentCopies(repeatHold.toNanos()));
        ServerBootstrap b = new ServerBootstrap()
                .group(loops)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                                new WriteTimeoutHandler(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                                new VortexRequestDecoder(),
                                new PieceUploadHandler(uploader));
                    }
                });
        try {
            serverChannel = b.bind(bind).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownOwn();
            throw new IllegalStateException("cannot serve Vortex on " + bind + ": " + e, e);
        }
        LOG.info("vortex piece server listening: address={} port={} upload_rate_limit_bps={} max_concurrent={}",
                bind.getAddress().getHostAddress(), port(), uploadRate.bytesPerSecond(), maxConcurrentUploads);
        return this;
    }

    /** The bound TCP port (after {@link #start}). */
    public synchronized int port() {
        if (serverChannel == null) {
            throw new IllegalStateException("piece server not started");
        }
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Piece bytes sent completely since start (the {@value UploadMetrics#UPLOAD_TRAFFIC} counter's value). */
    public long uploadedBytes() {
        return metrics.uploadedBytes.get();
    }

    /** Uploads in progress now. */
    public int activeUploads() {
        return metrics.active.get();
    }

    /** Stops accepting, lets uploads in flight finish for up to 5 s, and stops its own threads. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        shutdownOwn();
        LOG.info("vortex piece server stopped");
    }

    private void shutdownOwn() {
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            ownGroup = null;
        }
    }
}
