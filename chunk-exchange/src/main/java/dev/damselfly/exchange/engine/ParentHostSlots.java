package dev.damselfly.exchange.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What this node asks of each parent host at once, across all its tasks: a window of pieces in flight to one host, at
 * most {@value #PER_HOST_IN_FLIGHT}, and none while that host is backing off after a "busy" answer (its upload slots
 * were all taken). A node pulling four layers from the same parents would otherwise send each parent four tasks' worth
 * of requests, most of which the parent refuses: each refusal a TCP connection, a request, an error and a retry.
 *
 * <p>The window is additive-increase, multiplicative-decrease, like TCP's: it starts at the ceiling (a lone parent
 * serves this node as fast as it can), halves (at least 1) on each "busy" answer, and grows by one after every
 * {@value #GROW_AFTER_SERVED} pieces the host served since. Children that share a parent thus settle on about its upload
 * slots between them instead of each taking the ceiling and being refused.
 *
 * <p>Keyed by host id ({@code {ip}-{hostname}}); a host with nothing in flight, no back-off running and a full window
 * is forgotten; a shrunken window that no "busy" answer has renewed for {@value #WINDOW_MEMORY_NANOS} ns is whole
 * again.
 * Thread-safe: every change is one atomic {@link ConcurrentHashMap#compute} on the host's key.
 */
final class ParentHostSlots {
    /** Most pieces fetched from one parent host at once by this node, all tasks together (the window's ceiling): 3. */
    static final int PER_HOST_IN_FLIGHT = 3;
    /** Pieces a host serves, since its window last changed, before the window grows by one: 8. */
    static final int GROW_AFTER_SERVED = 8;
    /** How long a shrunken window is remembered after the "busy" answer that shrank it, nanoseconds (60 s). */
    static final long WINDOW_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** First back-off from a host that answered "at upload capacity", nanoseconds (50 ms); doubles per answer. */
    static final long BUSY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Longest such back-off, nanoseconds (800 ms). */
    static final long BUSY_BACKOFF_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(800);

    /** One host's state; fields written only inside {@code compute} on its key. */
    private static final class Host {
        volatile int inFlight;
        volatile long busyUntilNanos;
        /** Pieces that may be in flight to this host at once, 1..{@link #PER_HOST_IN_FLIGHT}. */
        volatile int window = PER_HOST_IN_FLIGHT;
        /** Consecutive "busy" answers since the last piece served (the back-off doubles with each). */
        int busyStreak;
        /** Pieces served since the window last changed. */
        int servedSinceChange;
        /** When the last "busy" answer came, nanoseconds ({@link System#nanoTime()}). */
        volatile long lastBusyNanos;

        /** The window in force at {@code nowNanos}: a shrunken one is whole again once its memory has passed. */
        int windowAt(long nowNanos) {
            return nowNanos - lastBusyNanos > WINDOW_MEMORY_NANOS ? PER_HOST_IN_FLIGHT : window;
        }

        boolean opensAt(long nowNanos) {
            return inFlight < windowAt(nowNanos) && busyUntilNanos - nowNanos <= 0;
        }

        boolean forgettable(long nowNanos) {
            return inFlight == 0 && busyUntilNanos - nowNanos <= 0 && windowAt(nowNanos) == PER_HOST_IN_FLIGHT;
        }
    }

    private final Map<String, Host> hosts = new ConcurrentHashMap<>();
    private final Runnable slotFreed;
    private final LongSupplier nanoClock;

    /**
     * @param slotFreed run (on the caller's thread, after the change) each time a slot is given back, so drivers
     *                  waiting for one need not poll; must be quick and must not throw
     */
    ParentHostSlots(Runnable slotFreed) {
        this(slotFreed, System::nanoTime);
    }

    /** Slots on a clock of the caller's, nanoseconds (tests). */
    ParentHostSlots(Runnable slotFreed, LongSupplier nanoClock) {
        this.slotFreed = slotFreed;
        this.nanoClock = nanoClock;
    }

    /** True when a piece may be asked of {@code hostId} now (a slot is free and it is not backing off). */
    boolean open(String hostId, long nowNanos) {
        Host h = hosts.get(hostId);
        return h == null || h.opensAt(nowNanos);
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
            host.window = host.windowAt(nowNanos);
            if (host.opensAt(nowNanos)) {
                host.inFlight++;
                taken[0] = true;
            }
            return host.forgettable(nowNanos) ? null : host;
        });
        return taken[0];
    }

    /** The host served the piece: the slot is free, its busy streak is over, and its window may grow. */
    void served(String hostId) {
        give(hostId, false, true);
    }

    /**
     * The piece was not served for another reason than "busy" (it failed, or the host deflected it as a repeat while
     * it sends other pieces): the slot is free, the host keeps its window and is not backed off.
     */
    void failed(String hostId) {
        give(hostId, false, false);
    }

    /**
     * The host answered "busy": the slot is free, the host's window halves (at least 1), and the host is not asked
     * again (by any task) for a back-off of {@value #BUSY_BACKOFF_NANOS} ns doubled per consecutive answer, at most
     * {@value #BUSY_BACKOFF_MAX_NANOS} ns.
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
            long now = nanoClock.getAsLong();
            h.window = h.windowAt(now);
            if (served) {
                h.busyStreak = 0;
                if (++h.servedSinceChange >= GROW_AFTER_SERVED && h.window < PER_HOST_IN_FLIGHT) {
                    h.window++;
                    h.servedSinceChange = 0;
                }
            } else if (busy) {
                h.window = Math.max(1, h.window / 2);
                h.servedSinceChange = 0;
                h.lastBusyNanos = now;
                h.busyStreak++;
                backoff[0] = Math.min(BUSY_BACKOFF_MAX_NANOS, BUSY_BACKOFF_NANOS << Math.min(h.busyStreak - 1, 8));
                long until = now + backoff[0];
                if (until - h.busyUntilNanos > 0) {
                    h.busyUntilNanos = until;
                }
            }
            return h.forgettable(now) ? null : h;
        });
        slotFreed.run();
        return backoff[0];
    }

    /** The window of {@code hostId} at {@code nowNanos}: pieces that may be in flight to it at once. */
    int window(String hostId, long nowNanos) {
        Host h = hosts.get(hostId);
        return h == null ? PER_HOST_IN_FLIGHT : h.windowAt(nowNanos);
    }

    /** Hosts remembered now (something in flight or a back-off not yet over when last changed); for tests. */
    int tracked() {
        return hosts.size();
    }
}
