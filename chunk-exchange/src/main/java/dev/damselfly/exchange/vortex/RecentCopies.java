package dev.damselfly.exchange.vortex;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The pieces this node is sending, or sent a moment ago, and whether a request for one of them is a repeat worth
 * deflecting: "first copies first". A parent's link is the swarm's bottleneck while it alone holds the newest pieces
 * (the first node of a rolling update is the only one reading from the registry); every second copy of a piece it
 * sends is link time taken from a piece nobody else has yet, and a second child can soon get that copy from the first.
 * So while the node is also sending <em>other</em> pieces, a request for a piece that is in flight to another child,
 * or whose last copy was sent less than {@code holdNanos} ago, is refused (the child asks for another piece meanwhile).
 * A node with nothing else to send serves the repeat: the last pieces of a download reach every child at once.
 *
 * <p>Entries are keyed by task and piece and dropped once idle past the hold; at most {@link #MAX_TRACKED} are kept
 * (beyond that, requests are served without the check). Thread-safe: each change is one atomic
 * {@link ConcurrentHashMap#compute} on its key.
 */
final class RecentCopies {
    /** Pieces tracked at most: 4096 (a parent sends a few hundred pieces in a hold at most). */
    static final int MAX_TRACKED = 4096;
    /** Pieces tracked above which finished entries past their hold are swept out (at most 4 times a hold): 256. */
    private static final int SWEEP_ABOVE = 256;

    /** Copies of one piece: how many are in flight, whether one was sent whole, and when the last sent one ended. */
    private static final class Copies {
        int inFlight;
        boolean sent;
        long lastSentNanos;
    }

    private final long holdNanos;
    private final LongSupplier nanoClock;
    private final Map<String, Copies> pieces = new ConcurrentHashMap<>();
    private volatile long lastSweepNanos;

    /** @param holdNanos how long after a copy ended a repeat is still deflected, nanoseconds; 0 = never deflect */
    RecentCopies(long holdNanos) {
        this(holdNanos, System::nanoTime);
    }

    /** Copies on a clock of the caller's, nanoseconds (tests). */
    RecentCopies(long holdNanos, LongSupplier nanoClock) {
        if (holdNanos < 0) {
            throw new IllegalArgumentException("hold must be ≥ 0 ns, was " + holdNanos);
        }
        this.holdNanos = holdNanos;
        this.nanoClock = nanoClock;
    }

    /** The hold, milliseconds (for messages). */
    long holdMillis() {
        return TimeUnit.NANOSECONDS.toMillis(holdNanos);
    }

    /**
     * Starts a copy of piece {@code number} of {@code taskId} unless it is a repeat to deflect; every copy started must
     * be ended by {@link #end}.
     *
     * @param activeUploads uploads of this node in progress now, of any piece (this one not counted)
     * @return true when the copy may be sent (and is now counted in flight), false when the request is a repeat
     */
    boolean tryBegin(String taskId, int number, int activeUploads) {
        if (holdNanos == 0) {
            return true;
        }
        String key = key(taskId, number);
        long now = nanoClock.getAsLong();
        boolean[] begun = {false};
        pieces.compute(key, (k, c) -> {
            if (c == null) {
                if (pieces.size() >= MAX_TRACKED) {
                    begun[0] = true; // untracked: served without the check
                    return null;
                }
                c = new Copies();
            } else {
                boolean recent = c.inFlight > 0 || (c.sent && now - c.lastSentNanos < holdNanos);
                boolean otherWork = activeUploads - c.inFlight > 0;
                if (recent && otherWork) {
                    return c;
                }
            }
            c.inFlight++;
            begun[0] = true;
            return c;
        });
        if (pieces.size() > SWEEP_ABOVE && now - lastSweepNanos >= holdNanos / 4) {
            lastSweepNanos = now;
            sweep(now);
        }
        return begun[0];
    }

    /**
     * A copy started by {@link #tryBegin} ended: {@code sent} whole (the hold starts now), or failed or dropped (a piece
     * no child got is no repeat: once no copy of it is in flight, the next request is served as a first copy).
     */
    void end(String taskId, int number, boolean sent) {
        if (holdNanos == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        pieces.computeIfPresent(key(taskId, number), (k, c) -> {
            c.inFlight = Math.max(0, c.inFlight - 1);
            if (sent) {
                c.sent = true;
                c.lastSentNanos = now;
            }
            return c.inFlight == 0 && !c.sent ? null : c;
        });
    }

    /** Pieces tracked now (for tests). */
    int tracked() {
        return pieces.size();
    }

    private void sweep(long now) {
        for (String key : pieces.keySet()) {
            pieces.computeIfPresent(key, (k, c) -> c.inFlight == 0 && now - c.lastSentNanos >= holdNanos ? null : c);
        }
    }

    private static String key(String taskId, int number) {
        return taskId + '#' + number;
    }
}
