package dev.damselfly.exchange.upload;

import dev.damselfly.exchange.ParentBandwidth;
import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.ParentLoad;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Network;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncHostRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ParentLoad} over gRPC: one DfdaemonUpload.SyncHost stream per parent <em>host</em> (keyed by host id and
 * {@code ip:grpcPort}), shared by every task that tracks it and reference-counted: the stream opens with the first
 * {@link #track} of a host and is cancelled when the last lease closes. Each message's Network figures are kept with
 * the time they arrived; figures older than {@code staleAfter} (default {@value #DEFAULT_STALE_AFTER_MILLIS} ms) count
 * as unknown.
 *
 * <p>Failures are never fatal and are logged once per event with the parent host id and address: a stream that
 * fails, ends, or stays silent for {@code staleAfter} is dropped and reopened lazily (on the next {@link #track} or
 * {@link Lease#bandwidth()} of that host) once {@code retryInterval} (default {@value #DEFAULT_RETRY_INTERVAL_MILLIS}
 * ms) has passed since the failure. A parent answering UNIMPLEMENTED (a peer without SyncHost) is not asked again
 * while any task tracks it. Thread-safe.
 */
public final class SyncHostClient implements ParentLoad, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SyncHostClient.class);
    /** Default age after which figures count as unknown, milliseconds: 5000 (the parent sends every 1 s). */
    public static final long DEFAULT_STALE_AFTER_MILLIS = 5000;
    /** Default shortest wait before a failed stream is reopened, milliseconds: 2000. */
    public static final long DEFAULT_RETRY_INTERVAL_MILLIS = 2000;

    private final ParentChannels channels;
    private final boolean ownChannels;
    private final long staleNanos;
    private final long retryNanos;
    private final LongSupplier clock;
    private final Map<String, HostFeed> feeds = new HashMap<>(); // guarded by this
    private final AtomicLong streamsOpened = new AtomicLong();
    private final AtomicLong streamFailures = new AtomicLong();
    private boolean closed; // guarded by this

    /** Defaults, with its own channels on gRPC's event loops. */
    public SyncHostClient() {
        this(new ParentChannels(null), true, Duration.ofMillis(DEFAULT_STALE_AFTER_MILLIS),
                Duration.ofMillis(DEFAULT_RETRY_INTERVAL_MILLIS), System::nanoTime);
    }

    /**
     * Defaults, with its own channels.
     *
     * @param group a NIO event-loop group to share (its owner shuts it down), or {@code null} for gRPC's own
     */
    public SyncHostClient(EventLoopGroup group) {
        this(new ParentChannels(group), true, Duration.ofMillis(DEFAULT_STALE_AFTER_MILLIS),
                Duration.ofMillis(DEFAULT_RETRY_INTERVAL_MILLIS), System::nanoTime);
    }

    /**
     * Defaults, sharing {@code syncPieces}' channels (one connection per parent for both streams). Close this client
     * before {@code syncPieces}; closing it leaves the shared channels open.
     */
    public SyncHostClient(SyncPiecesClient syncPieces) {
        this(syncPieces, Duration.ofMillis(DEFAULT_STALE_AFTER_MILLIS), Duration.ofMillis(DEFAULT_RETRY_INTERVAL_MILLIS));
    }

    /**
     * @param syncPieces    whose channels to share (see {@link #SyncHostClient(SyncPiecesClient)})
     * @param staleAfter    age after which figures count as unknown, &gt; 0
     * @param retryInterval shortest wait before a failed stream is reopened, ≥ 0
     */
    public SyncHostClient(SyncPiecesClient syncPieces, Duration staleAfter, Duration retryInterval) {
        this(syncPieces.channels(), false, staleAfter, retryInterval, System::nanoTime);
    }

    /** @param clock nanosecond clock (tests drive their own) */
    SyncHostClient(ParentChannels channels, boolean ownChannels, Duration staleAfter, Duration retryInterval,
                   LongSupplier clock) {
        if (staleAfter.isZero() || staleAfter.isNegative()) {
            throw new IllegalArgumentException("staleAfter must be > 0, was " + staleAfter);
        }
        if (retryInterval.isNegative()) {
            throw new IllegalArgumentException("retryInterval must be ≥ 0, was " + retryInterval);
        }
        this.channels = Objects.requireNonNull(channels, "channels");
        this.ownChannels = ownChannels;
        this.staleNanos = staleAfter.toNanos();
        this.retryNanos = retryInterval.toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Lease track(ParentEndpoint parent, String childHostId, String childPeerId) {
        Objects.requireNonNull(parent, "parent");
        HostFeed feed;
        synchronized (this) {
            if (closed) {
                return Lease.UNKNOWN;
            }
            feed = feeds.computeIfAbsent(key(parent), k -> new HostFeed(parent, childHostId, childPeerId));
            feed.refs++;
            feed.maintain(clock.getAsLong());
        }
        return new FeedLease(feed);
    }

    /** Parent hosts tracked by at least one lease now. */
    public synchronized int trackedHosts() {
        return feeds.size();
    }

    /** SyncHost streams opened since start (a reopen counts again). */
    public long streamsOpened() {
        return streamsOpened.get();
    }

    /** SyncHost streams that failed, ended or went silent since start. */
    public long streamFailures() {
        return streamFailures.get();
    }

    /** Cancels every stream (leases then report unknown) and closes the channels it owns. Idempotent. */
    @Override
    public void close() {
        List<HostFeed> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = new ArrayList<>(feeds.values());
            feeds.clear();
        }
        open.forEach(HostFeed::stop);
        if (ownChannels) {
            channels.close();
        }
    }

    private synchronized void release(HostFeed feed) {
        if (--feed.refs > 0) {
            return;
        }
        feeds.remove(feed.key, feed);
        feed.stop();
        LOG.debug("sync host released: parent_host={} parent={}", feed.parent.hostId(), feed.parent.address());
    }

    private static String key(ParentEndpoint parent) {
        return parent.hostId() + "@" + parent.address();
    }

    /** The figures of a SyncHost message, or null when it carries none that can be used. */
    static ParentBandwidth figures(Host host) {
        if (!host.hasNetwork()) {
            return null;
        }
        Network n = host.getNetwork();
        long maxTx = n.getMaxTxBandwidth();
        long tx = n.hasTxBandwidth() ? n.getTxBandwidth() : 0;
        long maxRx = n.getMaxRxBandwidth();
        long rx = n.hasRxBandwidth() ? n.getRxBandwidth() : 0;
        if (maxTx < 0 || tx < 0 || maxRx < 0 || rx < 0) {
            return null; // u64 values beyond a long: not believable
        }
        return new ParentBandwidth(maxTx, tx, maxRx, rx);
    }

    /** One task's hold on a feed. */
    private final class FeedLease implements Lease {
        private final HostFeed feed;
        private final AtomicBoolean closedLease = new AtomicBoolean();

        FeedLease(HostFeed feed) {
            this.feed = feed;
        }

        @Override
        public Optional<ParentBandwidth> bandwidth() {
            return closedLease.get() ? Optional.empty() : feed.bandwidth();
        }

        @Override
        public void close() {
            if (closedLease.compareAndSet(false, true)) {
                release(feed);
            }
        }
    }

    /** The SyncHost stream of one parent host and its latest figures. */
    private final class HostFeed {
        final ParentEndpoint parent;
        final String key;
        final SyncHostRequest request;
        int refs; // guarded by SyncHostClient.this
        // guarded by this feed
        private Observer current;
        private long openedNanos;
        private long lastFailureNanos;
        private boolean failedBefore;
        private boolean unsupported;
        private boolean stopped;
        private volatile long lastMessageNanos;
        private volatile ParentBandwidth latest;
        private volatile long latestNanos;

        HostFeed(ParentEndpoint parent, String childHostId, String childPeerId) {
            this.parent = parent;
            this.key = key(parent);
            this.request = SyncHostRequest.newBuilder()
                    .setHostId(childHostId == null ? "" : childHostId)
                    .setPeerId(childPeerId == null ? "" : childPeerId)
                    .build();
        }

        Optional<ParentBandwidth> bandwidth() {
            long now = clock.getAsLong();
            maintain(now);
            ParentBandwidth b = latest;
            if (b == null || now - latestNanos > staleNanos) {
                return Optional.empty();
            }
            return Optional.of(b);
        }

        /** Drops a silent stream; (re)opens the stream when none is open and the retry wait is over. */
        synchronized void maintain(long now) {
            if (stopped || unsupported) {
                return;
            }
            if (current != null) {
                long last = Math.max(openedNanos, lastMessageNanos);
                if (now - last > staleNanos) {
                    streamFailures.incrementAndGet();
                    LOG.warn("sync host silent, reopening later: parent_host={} parent={} silent_ms={}",
                            parent.hostId(), parent.address(), (now - last) / 1_000_000);
                    cancelCurrent("no SyncHost message within " + staleNanos / 1_000_000 + " ms");
                    failed(now);
                }
                return;
            }
            if (failedBefore && now - lastFailureNanos < retryNanos) {
                return;
            }
            open(now);
        }

        private void open(long now) {
            ClientCall<SyncHostRequest, Host> call;
            try {
                call = channels.to(parent).newCall(DfdaemonUploadGrpc.getSyncHostMethod(), CallOptions.DEFAULT);
            } catch (RuntimeException e) {
                streamFailures.incrementAndGet();
                LOG.warn("sync host not opened: parent_host={} parent={} error={}", parent.hostId(),
                        parent.address(), e.toString());
                failed(now);
                return;
            }
            Observer o = new Observer(this, call);
            current = o;
            openedNanos = now;
            streamsOpened.incrementAndGet();
            LOG.debug("sync host opened: parent_host={} parent={}", parent.hostId(), parent.address());
            ClientCalls.asyncServerStreamingCall(call, request, o);
        }

        private void failed(long now) {
            failedBefore = true;
            lastFailureNanos = now;
        }

        private void cancelCurrent(String why) {
            Observer o = current;
            current = null;
            if (o != null) {
                o.call.cancel(why, null);
            }
        }

        synchronized void stop() {
            stopped = true;
            cancelCurrent("no task uses parent host " + parent.hostId() + " any more");
            latest = null;
        }

        void onMessage(Observer o, Host host) {
            long now = clock.getAsLong();
            synchronized (this) {
                if (o != current) {
                    return;
                }
                lastMessageNanos = now;
                latestNanos = now;
                latest = figures(host);
            }
        }

        void onEnd(Observer o, Throwable error) {
            long now = clock.getAsLong();
            synchronized (this) {
                if (o != current) {
                    return; // cancelled by us: nothing to report
                }
                current = null;
                failed(now);
                streamFailures.incrementAndGet();
                if (error == null) {
                    LOG.info("sync host ended by parent, reopening later: parent_host={} parent={}", parent.hostId(),
                            parent.address());
                    return;
                }
                Status status = Status.fromThrowable(error);
                if (status.getCode() == Status.Code.UNIMPLEMENTED) {
                    unsupported = true;
                    LOG.info("parent does not serve SyncHost, its load stays unknown: parent_host={} parent={}",
                            parent.hostId(), parent.address());
                } else if (!channels.closed()) {
                    LOG.warn("sync host failed, reopening later: parent_host={} parent={} error={}", parent.hostId(),
                            parent.address(), status);
                }
            }
        }
    }

    /** Callbacks of one SyncHost call; only the feed's current call is listened to. */
    private final class Observer implements StreamObserver<Host> {
        final HostFeed feed;
        final ClientCall<SyncHostRequest, Host> call;

        Observer(HostFeed feed, ClientCall<SyncHostRequest, Host> call) {
            this.feed = feed;
            this.call = call;
        }

        @Override
        public void onNext(Host host) {
            feed.onMessage(this, host);
        }

        @Override
        public void onError(Throwable t) {
            feed.onEnd(this, t);
        }

        @Override
        public void onCompleted() {
            feed.onEnd(this, null);
        }
    }
}
