package dev.damselfly.scheduler.server.resource;

import dev.damselfly.scheduler.proto.common.v2.Host;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One announced host. Upload slots: each parent→child edge holds one slot of the parent's host;
 * {@link #tryAcquireUploadSlot()} never lets the count exceed {@link #uploadLimit()}.
 */
public final class HostRecord {
    private volatile Host host;
    private final int uploadLimit;
    private final AtomicInteger uploadSlotsInUse = new AtomicInteger();
    private final AtomicInteger maxUploadSlotsInUse = new AtomicInteger();
    private final AtomicLong uploadCount = new AtomicLong();
    private final AtomicLong uploadFailedCount = new AtomicLong();
    private final AtomicLong txBandwidthBps = new AtomicLong();
    private final AtomicLong uploadContentLength = new AtomicLong();
    private final AtomicInteger concurrentUploadPieceCount = new AtomicInteger();
    private final Set<String> peerIds = ConcurrentHashMap.newKeySet();
    private final AtomicInteger registrationsInFlight = new AtomicInteger();
    private volatile long announcedAtNanos;

    public HostRecord(Host host, int uploadLimit, long nowNanos) {
        this.host = host;
        this.uploadLimit = uploadLimit;
        this.announcedAtNanos = nowNanos;
    }

    public String id() {
        return host.getId();
    }

    public Host host() {
        return host;
    }

    /** Replaces the announced facts (counters are kept). */
    public void update(Host newHost, long nowNanos) {
        this.host = newHost;
        this.announcedAtNanos = nowNanos;
    }

    public boolean isSeed() {
        return host.getType() != 0;
    }

    public long announcedAtNanos() {
        return announcedAtNanos;
    }

    /** Concurrent children this host may serve. */
    public int uploadLimit() {
        return uploadLimit;
    }

    public int uploadSlotsInUse() {
        return uploadSlotsInUse.get();
    }

    /** The largest number of slots ever in use at once. */
    public int maxUploadSlotsInUse() {
        return maxUploadSlotsInUse.get();
    }

    public int freeUploadSlots() {
        return Math.max(0, uploadLimit - uploadSlotsInUse.get());
    }

    /** Takes one upload slot; false when all are in use. */
    public boolean tryAcquireUploadSlot() {
        while (true) {
            int cur = uploadSlotsInUse.get();
            if (cur >= uploadLimit) {
                return false;
            }
            if (uploadSlotsInUse.compareAndSet(cur, cur + 1)) {
                maxUploadSlotsInUse.accumulateAndGet(cur + 1, Math::max);
                return true;
            }
        }
    }

    public void releaseUploadSlot() {
        uploadSlotsInUse.updateAndGet(v -> Math.max(0, v - 1));
    }

    public long uploadCount() {
        return uploadCount.get();
    }

    public long uploadFailedCount() {
        return uploadFailedCount.get();
    }

    public void recordUpload(boolean success) {
        uploadCount.incrementAndGet();
        if (!success) {
            uploadFailedCount.incrementAndGet();
        }
    }

    /** The scheduler's running estimate of this host's upload rate, bits per second. */
    public long txBandwidthBps() {
        return txBandwidthBps.get();
    }

    public long uploadContentLength() {
        return uploadContentLength.get();
    }

    public int concurrentUploadPieceCount() {
        return concurrentUploadPieceCount.get();
    }

    /** Accounts an edge added (+1) or removed (−1) for the load-quality evaluator. */
    public void accountEdge(int sign, long txBps, long contentLength, int childConcurrentPieces) {
        txBandwidthBps.addAndGet(sign * txBps);
        uploadContentLength.addAndGet(sign * contentLength);
        concurrentUploadPieceCount.addAndGet(sign * childConcurrentPieces);
    }

    /** Counts a registration whose first scheduling attempt has not run yet; returns the new count. */
    public int beginRegistration() {
        return registrationsInFlight.incrementAndGet();
    }

    public void endRegistration() {
        registrationsInFlight.decrementAndGet();
    }

    public Set<String> peerIds() {
        return peerIds;
    }
}
