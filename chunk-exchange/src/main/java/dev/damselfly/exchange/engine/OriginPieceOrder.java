package dev.damselfly.exchange.engine;

import java.util.BitSet;

/**
 * The order in which a task's pieces are read from the origin when other peers read it too (striped
 * back-to-source). A reader sees, through its parents' announcements, which pieces the other readers hold, but not which
 * they are fetching; it reads the piece farthest from every piece another peer holds, so two readers work inward from
 * opposite ends of the gap between them, and it keeps fewer ranges in flight as the gap closes. The reader working
 * down from above stops when few pieces are left and leaves them to the one working up, so that the one working up
 * reaches the last pieces the other had in flight only after they have landed: they fetch a piece twice rarely. With
 * no other holder the order is plain ascending (a lone reader, which a streaming client reads behind). Stateless.
 */
final class OriginPieceOrder {
    /** In-flight origin ranges per piece of the gap still to read, when another reader exists: 1 per 4 pieces. */
    static final int GAP_PIECES_PER_RANGE = 4;
    /** Pieces left to read (queued and in flight), at most, at which the reader working down stops: 8. */
    static final int YIELD_PIECES = 8;

    private OriginPieceOrder() {
    }

    /**
     * The next piece to read: the queued piece farthest from any piece in {@code heldElsewhere}, the lowest such
     * on a tie; the lowest queued piece when {@code heldElsewhere} is empty; -1 when the queue is empty.
     */
    static int next(BitSet queued, BitSet heldElsewhere) {
        if (heldElsewhere.isEmpty()) {
            return queued.nextSetBit(0);
        }
        int best = -1;
        long bestDistance = -1;
        for (int q = queued.nextSetBit(0); q >= 0; q = queued.nextSetBit(q + 1)) {
            int below = heldElsewhere.previousSetBit(q);
            int above = heldElsewhere.nextSetBit(q);
            long distance = Math.min(below < 0 ? Long.MAX_VALUE : q - below, above < 0 ? Long.MAX_VALUE : above - q);
            if (distance > bestDistance) {
                best = q;
                bestDistance = distance;
            }
        }
        return best;
    }

    /**
     * Origin ranges allowed in flight: {@code limit} alone, or, when another peer holds pieces this one lacks (another
     * reader exists), at most one per {@value #GAP_PIECES_PER_RANGE} pieces still to read ({@code queued} plus
     * {@code inFlight}), and at least 1.
     */
    static int concurrency(int limit, boolean otherReader, int queued, int inFlight) {
        if (!otherReader) {
            return limit;
        }
        return Math.min(limit, Math.max(1, (queued + inFlight) / GAP_PIECES_PER_RANGE));
    }

    /**
     * Whether a reader whose queue lies above every piece held elsewhere near it (it works down towards another
     * reader: pieces held elsewhere below its queue, none above) should leave the rest to that reader: at most
     * {@value #YIELD_PIECES} pieces left, queued plus {@code inFlight}. The reader working up never yields.
     */
    static boolean yieldsToLowerReader(BitSet queued, BitSet heldElsewhere, int inFlight) {
        if (queued.isEmpty() || queued.cardinality() + inFlight > YIELD_PIECES) {
            return false;
        }
        return heldElsewhere.previousSetBit(queued.nextSetBit(0)) >= 0 && heldElsewhere.nextSetBit(queued.length()) < 0;
    }
}
