package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class OriginPieceOrderTest {
    private static BitSet range(int from, int to) {
        BitSet b = new BitSet();
        b.set(from, to);
        return b;
    }

    @Test
    void aLoneReaderReadsAscending() {
        assertEquals(11, OriginPieceOrder.next(range(11, 64), new BitSet()));
        assertEquals(-1, OriginPieceOrder.next(new BitSet(), range(0, 4)));
    }

    @Test
    void aSecondReaderStartsFromTheEndFarthestFromTheFirstReadersPieces() {
        assertEquals(63, OriginPieceOrder.next(range(11, 64), range(0, 11)), "first reader holds the low pieces");
        assertEquals(11, OriginPieceOrder.next(range(11, 55), range(55, 64)), "second reader holds the high pieces");
    }

    @Test
    void bothReadersMeetInTheMiddleOfTheGapLowestOnATie() {
        BitSet held = range(0, 30);
        held.or(range(40, 64));
        assertEquals(34, OriginPieceOrder.next(range(30, 40), held), "34 and 35 are both 5 away from held pieces");
        BitSet queued = range(30, 40);
        queued.clear(34);
        queued.clear(35);
        assertEquals(33, OriginPieceOrder.next(queued, held));
    }

    @Test
    void fewerRangesInFlightAsTheGapBetweenReadersCloses() {
        assertEquals(8, OriginPieceOrder.concurrency(8, false, 2, 0), "a lone reader keeps its limit");
        assertEquals(8, OriginPieceOrder.concurrency(8, true, 40, 0));
        assertEquals(3, OriginPieceOrder.concurrency(8, true, 10, 2));
        assertEquals(1, OriginPieceOrder.concurrency(8, true, 1, 1), "never below one");
        assertEquals(1, OriginPieceOrder.concurrency(1, true, 40, 0), "never above the ramp");
    }

    @Test
    void theReaderWorkingDownLeavesTheLastPiecesToTheOneWorkingUp() {
        BitSet below = range(0, 30);
        assertTrue(OriginPieceOrder.yieldsToLowerReader(range(30, 36), below, 2), "8 left, held pieces below only");
        assertFalse(OriginPieceOrder.yieldsToLowerReader(range(30, 36), below, 3), "9 left");
        BitSet above = range(40, 64);
        assertFalse(OriginPieceOrder.yieldsToLowerReader(range(36, 40), above, 0), "the reader working up goes on");
        BitSet both = range(0, 30);
        both.or(range(40, 64));
        assertFalse(OriginPieceOrder.yieldsToLowerReader(range(30, 34), both, 0), "held on both sides: no roles");
        assertFalse(OriginPieceOrder.yieldsToLowerReader(new BitSet(), below, 2), "nothing queued");
    }
}
