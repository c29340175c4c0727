package dev.damselfly.scheduler.server.evaluator;

import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.PeerState;
import java.util.Iterator;
import java.util.Locale;

/** Scores a possible parent for a child. Call under the task's monitor. */
public interface Evaluator {

    /** Score of {@code parent} for {@code child}; higher is better. */
    double evaluate(PeerRecord parent, PeerRecord child, long totalPieceCount);

    /**
     * Below this last-piece cost a parent is never judged bad by its costs, nanoseconds (200 ms). Not in Dragonfly:
     * with pieces that take microseconds (loopback, a warm page cache) a scheduling hiccup or a GC pause is easily 20×
     * the mean, and rejecting a parent for it sends its children elsewhere, or to the origin, for nothing.
     */
    long BAD_COST_FLOOR_NANOS = 200_000_000L;

    /**
     * Bad parent (spec §3.5): state Failed, Leave, Pending or Received*; or, with ≥ 2 piece cost samples and a last
     * cost of at least {@link #BAD_COST_FLOOR_NANOS}, last cost &gt; 20 × mean(previous) while the window is not
     * full, else last cost &gt; mean + 3·stddev.
     */
    static boolean isBadParent(PeerRecord parent) {
        PeerState s = parent.state();
        switch (s) {
            case FAILED, LEAVE, PENDING, RECEIVED_TINY, RECEIVED_SMALL, RECEIVED_NORMAL, RECEIVED_EMPTY:
                return true;
            default:
                break;
        }
        var costs = parent.pieceCostsNanos();
        int n = costs.size();
        if (n < 2) {
            return false;
        }
        long last = costs.peekLast();
        if (last < BAD_COST_FLOOR_NANOS) {
            return false;
        }
        if (n < PeerRecord.COST_WINDOW) {
            double sum = 0;
            Iterator<Long> it = costs.iterator();
            for (int i = 0; i < n - 1; i++) {
                sum += it.next();
            }
            double mean = sum / (n - 1);
            return last > 20 * mean;
        }
        double sum = 0;
        for (long c : costs) {
            sum += c;
        }
        double mean = sum / n;
        double var = 0;
        for (long c : costs) {
            var += (c - mean) * (c - mean);
        }
        double std = Math.sqrt(var / n);
        return last > mean + 3 * std;
    }

    /** IDC affinity: 1 when both are non-empty and equal ignoring case, else 0. */
    static double idcAffinity(String parentIdc, String childIdc) {
        if (parentIdc.isEmpty() || childIdc.isEmpty()) {
            return 0;
        }
        return parentIdc.equalsIgnoreCase(childIdc) ? 1 : 0;
    }

    /** Maximum number of {@code |}-separated location elements compared. */
    int MAX_LOCATION_ELEMENTS = 5;

    /** Location affinity: 1 when equal, else the number of equal leading elements (at most 5) / 5. */
    static double locationAffinity(String parent, String child) {
        if (parent.isEmpty() || child.isEmpty()) {
            return 0;
        }
        if (parent.equalsIgnoreCase(child)) {
            return 1;
        }
        String[] a = parent.toLowerCase(Locale.ROOT).split("\\|");
        String[] b = child.toLowerCase(Locale.ROOT).split("\\|");
        int n = Math.min(MAX_LOCATION_ELEMENTS, Math.min(a.length, b.length));
        int same = 0;
        for (int i = 0; i < n && a[i].equals(b[i]); i++) {
            same++;
        }
        return (double) same / MAX_LOCATION_ELEMENTS;
    }

    /** Host type: seed parent ReceivedNormal/Running → 1, seed otherwise → 0, normal host → 0.5. */
    static double hostTypeScore(PeerRecord parent) {
        if (parent.host().isSeed()) {
            PeerState s = parent.state();
            return s == PeerState.RECEIVED_NORMAL || s == PeerState.RUNNING ? 1 : 0;
        }
        return 0.5;
    }
}
