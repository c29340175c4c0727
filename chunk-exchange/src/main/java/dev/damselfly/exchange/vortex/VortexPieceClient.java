package dev.damselfly.exchange.vortex;

import dev.damselfly.exchange.PieceTransfer;
import dev.damselfly.exchange.PieceTransferException;
import dev.damselfly.piecestore.PieceGeometry;
import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import dev.damselfly.piecestore.TaskNotFoundException;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vortex TCP piece client (spec §2.5): one connection per piece (2 s connect timeout, TCP_NODELAY), the reply's
 * number, offset and length checked against the task's geometry in the store, exactly {@code length} bytes
 * gathered in one reused, aligned buffer ({@link PieceBodyBuffers}), then {@link PieceStore#writePiece(String, int, java.nio.ByteBuffer, String)} with
 * the announced digest, so the CRC-32 is checked before anything is committed. An empty digest is refused.
 *
 * <p>Thread-safe: any number of threads may call {@link #fetchInto} at once; each call blocks its caller until the
 * piece is stored or has failed. A reset or closed connection fails the call as soon as the event loop sees it.
 */
public final class VortexPieceClient implements PieceTransfer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VortexPieceClient.class);
    /** TCP connect timeout, milliseconds: 2000 (Dragonfly's). */
    public static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private final EventLoopGroup ownGroup;
    private final Bootstrap bootstrap;
    private final AtomicLong bytesReceived = new AtomicLong();
    private final PieceBodyBuffers bodyBuffers = new PieceBodyBuffers(PieceBodyBuffers.DEFAULT_MAX_IDLE_BYTES);

    /** A client with its own NIO event-loop group (closed by {@link #close()}). */
    public VortexPieceClient() {
        this(null);
    }

    /**
     * @param group a NIO event-loop group to share (Netty 4.2 {@code MultiThreadIoEventLoopGroup} with
     *              {@code NioIoHandler}; the caller shuts it down), or {@code null} for a private one
     */
    public VortexPieceClient(EventLoopGroup group) {
        if (group == null) {
            ownGroup = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                    NioIoHandler.newFactory());
            group = ownGroup;
        } else {
            ownGroup = null;
        }
        bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    /**
     * {@inheritDoc}
     *
     * @throws TaskNotFoundException    if the task has not been created in {@code store}
     * @throws IllegalArgumentException if the piece number is outside the task
     * @throws VortexErrorException     (a {@link PieceTransferException}) when the parent answers with an Error packet
     */
    @Override
    public PieceInfo fetchInto(PieceStore store, String taskId, int number, String ip, int tcpPort, Duration timeout) {
        TaskInfo task = store.taskInfo(taskId).orElseThrow(() -> new TaskNotFoundException(taskId));
        if (number < 0 || number >= task.pieceCount()) {
            throw new IllegalArgumentException("task " + taskId + " has pieces 0.." + (task.pieceCount() - 1)
                    + ", not " + number);
        }
        long offset = PieceGeometry.offset(number, task.pieceLength());
        int length = PieceGeometry.length(number, task.contentLength(), task.pieceLength());
        String parent = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + tcpPort;
        long started = System.nanoTime();

        CompletableFuture<PieceReceiveHandler.Received> result = new CompletableFuture<>();
        PieceReceiveHandler handler = new PieceReceiveHandler(parent, taskId, number, offset, length, result,
                bodyBuffers);
        ChannelFuture connect = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new VortexResponseDecoder(), handler);
            }
        }).connect(new InetSocketAddress(ip, tcpPort));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new PieceTransferException(parent, taskId, number,
                        "cannot connect: " + f.cause(), f.cause()));
            }
        });
        PieceReceiveHandler.Received received = await(result, connect.channel(), timeout, parent, taskId, number);
        try {
            PieceInfo info = store.writePiece(taskId, number, received.body().nioBuffer(), received.digest());
            bytesReceived.addAndGet(length);
            LOG.debug("piece downloaded: task_id={} piece={} parent={} bytes={} ms={}", taskId, number, parent, length,
                    (System.nanoTime() - started) / 1_000_000);
            return info;
        } finally {
            bodyBuffers.give(received.lease());
        }
    }

    private static PieceReceiveHandler.Received await(CompletableFuture<PieceReceiveHandler.Received> result,
                                                      Channel channel, Duration timeout, String parent, String taskId,
                                                      int number) {
        try {
            try {
                return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                PieceTransferException late = new PieceTransferException(parent, taskId, number,
                        "no complete piece within " + timeout.toMillis() + " ms", e);
                if (result.completeExceptionally(late)) {
                    channel.close();
                    throw late;
                }
                return result.get(); // completed just now
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                PieceTransferException stop = new PieceTransferException(parent, taskId, number, "interrupted", e);
                if (result.completeExceptionally(stop)) {
                    channel.close();
                    throw stop;
                }
                return result.get();
            }
        } catch (ExecutionException e) {
            channel.close();
            if (e.getCause() instanceof PieceTransferException p) {
                throw p;
            }
            throw new PieceTransferException(parent, taskId, number, String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException | CancellationException e) {
            channel.close();
            throw new PieceTransferException(parent, taskId, number, "interrupted", e);
        }
    }

    /** Piece bytes received and stored by this client since it was made (bytes). */
    public long bytesReceived() {
        return bytesReceived.get();
    }

    /**
     * Shuts down the private event-loop group, if any (a shared group is left to its owner), and frees the kept body
     * buffers (a piece still in flight frees its own when it ends).
     */
    @Override
    public void close() {
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        bodyBuffers.close();
    }
}
