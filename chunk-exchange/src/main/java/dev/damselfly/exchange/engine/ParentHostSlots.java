package dev.damselfly.exchange.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What this node asks of each parent host at once, across all its tasks: at most {@value #PER_HOST_IN_FLIGHT} pieces
 * in flight to one host, and none while that host is backing off after a "busy" answer (its upload slots were all
 * taken). A node pulling four layers from the same parents would otherwise send each parent four tasks' worth of
 * requests, most of which the parent refuses: each refusal a TCP connection, a request, an error and a retry. Keyed by
 * host id ({@code {ip}-{hostname}}); a host with nothing in flight and no back-off running is forgotten (with its busy
 * streak). Thread-safe: every change is one atomic {@link ConcurrentHashMap#compute} on the host's key.
 */
final class ParentHostSlots {
    /** Pieces fetched from one parent host at once by this node, all tasks together: 3. */
    static final int PER_HOST_IN_FLIGHT = 3;
    /** First back-off from a host that answered "at upload capacity", nanoseconds (50 ms); doubles per answer. */
    static final long BUSY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Longest such back-off, nanoseconds (800 ms). */
    static final long BUSY_BACKOFF_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(800);

    /** One host's state; fields written only inside {@code compute} on its key. */
    private static final class Host {
        volatile int inFlight;
        volatile long busyUntilNanos;
        /** Consecutive "busy" answers since the last piece served (the back-off doubles with each). */
        int busyStreak;

        boolean idle(long nowNanos) {
            return inFlight == 0 && busyUntilNanos - nowNanos <= 0;
        }
    }

    private final Map<String, Host> hosts = new ConcurrentHashMap<>();
    private final Runnable slotFreed;

    /** Slots that tell nobody when one is given back. */
    ParentHostSlots() {
        this(() -> { });
    }

    /**
     * @param slotFreed run (on the caller's thread, after the change) each time a slot is given back, so drivers
     *                  waiting for one need not poll; must be quick and must not throw
     */
    ParentHostSlots(Runnable slotFreed) {
        this.slotFreed = slotFreed;
    }

    /** True when a piece may be asked of {@code hostId} now (a slot is free and it is not backing off). */
    boolean open(String hostId, long nowNanos) {
        Host h = hosts.get(hostId);
        return h == null || h.inFlight < PER_HOST_IN_FLIGHT && h.busyUntilNanos - nowNanos <= 0;
    }

    /** True when {@code hostId} is backing off after a "busy" answer at {@code nowNanos}. */
    boolean backingOff(String hostId, long nowNanos) {
        Host h = hosts.get(hostId);
        return h != null && h.busyUntilNanos - nowNanos > 0;
    }

    /**
     * Takes a slot of {@code hostId} if it is {@link #open}; every slot taken must be given back by exactly one of
     * {@link #served}, {@link #busy} or {@link #failed}.
     */
    boolean tryTake(String hostId, long nowNanos) {
        boolean[] taken = {false};
        hosts.compute(hostId, (k, h) -> {
            Host host = h == null ? new Host() : h;
            if (host.inFlight < PER_HOST_IN_FLIGHT && host.busyUntilNanos - nowNanos <= 0) {
                host.inFlight++;
                taken[0] = true;
            }
            return host.idle(nowNanos) ? null : host;
        });
        return taken[0];
    }

    /** The host served the piece: the slot is free and its busy streak is over. */
    void served(String hostId) {
        give(hostId, false, true);
    }

    /** The piece failed for another reason than "busy": the slot is free. */
    void failed(String hostId) {
        give(hostId, false, false);
    }

    /**
     * The host answered "busy": the slot is free, and the host is not asked again (by any task) for a back-off of
     * {@value #BUSY_BACKOFF_NANOS} ns doubled per consecutive answer, at most {@value #BUSY_BACKOFF_MAX_NANOS} ns.
     *
     * @return the back-off, nanoseconds
     */
    long busy(String hostId) {
        return give(hostId, true, false);
    }

    private long give(String hostId, boolean busy, boolean served) {
        long[] backoff = {0};
        hosts.computeIfPresent(hostId, (k, h) -> {
            h.inFlight = Math.max(0, h.inFlight - 1);
            long now = System.nanoTime();
            if (served) {
                h.busyStreak = 0;
            } else if (busy) {
                h.busyStreak++;
                backoff[0] = Math.min(BUSY_BACKOFF_MAX_NANOS, BUSY_BACKOFF_NANOS << Math.min(h.busyStreak - 1, 8));
                long until = now + backoff[0];
                if (until - h.busyUntilNanos > 0) {
                    h.busyUntilNanos = until;
                }
            }
            return h.idle(now) ? null : h;
        });
        slotFreed.run();
        return backoff[0];
    }

    /** Hosts remembered now (something in flight or a back-off not yet over when last changed); for tests. */
    int tracked() {
        return hosts.size();
    }
}
