package dev.damselfly.exchange.upload;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.PieceAnnouncement;
import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.exchange.vortex.VortexPieceServer;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncPiecesRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncPiecesResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PieceAvailability} over gRPC: opens DfdaemonUpload.SyncPieces on the parent's {@code ip:grpcPort} and
 * forwards each SyncPiecesResponse to the listener (a missing tcp_port means {@value VortexPieceServer#DEFAULT_PORT}).
 * One plaintext gRPC channel per parent address, cached until {@link #close()} (a {@link SyncHostClient} made with
 * {@link SyncHostClient#SyncHostClient(SyncPiecesClient)} shares them). A stream whose next
 * message takes longer than the per-message timeout (Dragonfly's {@code download.collectedPieceTimeout}, default
 * 360 s) is cancelled and reported with DEADLINE_EXCEEDED. After {@link Subscription#close()} the listener hears
 * nothing more. Thread-safe.
 */
public final class SyncPiecesClient implements PieceAvailability, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncPiecesClient.class);
    /** Default per-message timeout: 360 s (Dragonfly's collectedPieceTimeout). */
    public static final Duration DEFAULT_MESSAGE_TIMEOUT = Duration.ofSeconds(360);

    private final Duration messageTimeout;
    private final ParentChannels channels;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;

    /** Per-message timeout {@link #DEFAULT_MESSAGE_TIMEOUT}, gRPC's own event loops. */
    public SyncPiecesClient() {
        this(DEFAULT_MESSAGE_TIMEOUT, null);
    }

    /** @param messageTimeout longest wait for each stream message (and for the first), &gt; 0 */
    public SyncPiecesClient(Duration messageTimeout) {
        this(messageTimeout, null);
    }

    /**
     * @param messageTimeout longest wait for each stream message (and for the first), &gt; 0
     * @param group          a NIO event-loop group to share (its owner shuts it down), or {@code null} for gRPC's
     */
    public SyncPiecesClient(Duration messageTimeout, EventLoopGroup group) {
        if (messageTimeout.isNegative() || messageTimeout.isZero()) {
            throw new IllegalArgumentException("messageTimeout must be > 0, was " + messageTimeout);
        }
        this.messageTimeout = messageTimeout;
        this.channels = new ParentChannels(group);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sync-pieces-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Subscription subscribe(ParentEndpoint parent, String taskId, String childHostId,
                                  Collection<Integer> interested, Listener listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            throw new IllegalStateException("SyncPiecesClient is closed");
        }
        ManagedChannel channel = channels.to(parent);
        ClientCall<SyncPiecesRequest, SyncPiecesResponse> call =
                channel.newCall(DfdaemonUploadGrpc.getSyncPiecesMethod(), CallOptions.DEFAULT);
        Stream stream = new Stream(parent, taskId, call, listener);
        SyncPiecesRequest request = SyncPiecesRequest.newBuilder()
                .setHostId(childHostId)
                .setTaskId(taskId)
                .addAllInterestedPieceNumbers(interested)
                .build();
        stream.armTimeout();
        ClientCalls.asyncServerStreamingCall(call, request, stream);
        LOG.debug("sync pieces subscribed: task_id={} parent={} interested={}", taskId, parent.address(),
                interested.size());
        return stream::close;
    }

    /** The channel cache, for a {@link SyncHostClient} that shares it. */
    ParentChannels channels() {
        return channels;
    }

    /** Cancels nothing by itself; shuts down every cached channel (open streams end with an error) and the timer. */
    @Override
    public void close() {
        closed = true;
        channels.close();
        timer.shutdownNow();
    }

    /** One stream: forwards messages, enforces the per-message timeout, silences the listener once closed. */
    private final class Stream implements StreamObserver<SyncPiecesResponse> {
        private final ParentEndpoint parent;
        private final String taskId;
        private final ClientCall<SyncPiecesRequest, SyncPiecesResponse> call;
        private final Listener listener;
        private volatile long lastMessageNanos = System.nanoTime();
        private volatile boolean ended;
        private volatile boolean timedOut;
        private ScheduledFuture<?> timeout;

        Stream(ParentEndpoint parent, String taskId, ClientCall<SyncPiecesRequest, SyncPiecesResponse> call,
               Listener listener) {
            this.parent = parent;
            this.taskId = taskId;
            this.call = call;
            this.listener = listener;
        }

        synchronized void armTimeout() {
            long due = lastMessageNanos + messageTimeout.toNanos() - System.nanoTime();
            if (ended) {
                return;
            }
            try {
                timeout = timer.schedule(this::checkTimeout, Math.max(0, due), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // client closed: the channel shutdown ends the stream
            }
        }

        private void checkTimeout() {
            if (ended) {
                return;
            }
            if (System.nanoTime() - lastMessageNanos >= messageTimeout.toNanos()) {
                timedOut = true;
                call.cancel("no SyncPieces message within " + messageTimeout.toMillis() + " ms", null);
            } else {
                armTimeout();
            }
        }

        @Override
        public void onNext(SyncPiecesResponse r) {
            lastMessageNanos = System.nanoTime();
            if (ended) {
                return;
            }
            PieceAnnouncement a = new PieceAnnouncement(r.getNumber(), r.getOffset(), r.getLength(), r.getIp(),
                    r.hasTcpPort() ? r.getTcpPort() : VortexPieceServer.DEFAULT_PORT);
            try {
                listener.onPiece(a);
            } catch (RuntimeException e) {
                LOG.warn("sync pieces listener failed, cancelling: task_id={} parent={} error={}", taskId,
                        parent.address(), e.toString());
                call.cancel("listener failed", e);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (end()) {
                Throwable reported = timedOut ? Status.DEADLINE_EXCEEDED
                        .withDescription("no SyncPieces message from " + parent.address() + " for task " + taskId
                                + " within " + messageTimeout.toMillis() + " ms").asRuntimeException() : t;
                LOG.debug("sync pieces failed: task_id={} parent={} error={}", taskId, parent.address(),
                        reported.toString());
                safely(() -> listener.onError(reported));
            }
        }

        @Override
        public void onCompleted() {
            if (end()) {
                LOG.debug("sync pieces completed: task_id={} parent={}", taskId, parent.address());
                safely(listener::onCompleted);
            }
        }

        void close() {
            if (end()) {
                call.cancel("closed by child", null);
            }
        }

        /** Marks the stream ended; true for the first caller only. */
        private synchronized boolean end() {
            if (ended) {
                return false;
            }
            ended = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            return true;
        }

        private void safely(Runnable r) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("sync pieces listener failed: task_id={} parent={} error={}", taskId, parent.address(),
                        e.toString());
            }
        }
    }
}
