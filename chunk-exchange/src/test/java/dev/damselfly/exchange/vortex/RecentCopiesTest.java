package dev.damselfly.exchange.vortex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentCopiesTest {
    private static final long HOLD = TimeUnit.SECONDS.toNanos(2);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final RecentCopies copies = new RecentCopies(HOLD, clock::get);

    @Test
    void aRepeatIsDeflectedWhileItsFirstCopyIsInFlightAndOtherPiecesAreSent() {
        assertTrue(copies.tryBegin("t", 0, 0), "a first copy is always sent");
        assertTrue(copies.tryBegin("t", 1, 1), "another piece is a first copy too");
        assertFalse(copies.tryBegin("t", 0, 2), "piece 0 is in flight and piece 1 is being sent: a repeat");
        assertTrue(copies.tryBegin("u", 0, 2), "the same piece number of another task is another piece");
    }

    @Test
    void aRepeatIsServedWhenNothingElseIsBeingSent() {
        assertTrue(copies.tryBegin("t", 0, 0));
        assertTrue(copies.tryBegin("t", 0, 1), "the only upload in progress is a copy of this piece");
        assertFalse(copies.tryBegin("t", 0, 3), "two copies of it and one other piece in flight");
    }

    @Test
    void aRepeatIsDeflectedForTheHoldAfterTheLastCopyEndedThenServed() {
        assertTrue(copies.tryBegin("t", 0, 0));
        copies.end("t", 0, true);
        clock.addAndGet(HOLD - 1);
        assertFalse(copies.tryBegin("t", 0, 1), "within the hold, while another piece is sent");
        clock.addAndGet(1);
        assertTrue(copies.tryBegin("t", 0, 1), "the hold is over");
    }

    @Test
    void aCopyThatFailedIsNoRepeatOnceNoOtherCopyIsInFlight() {
        assertTrue(copies.tryBegin("t", 0, 0));
        assertTrue(copies.tryBegin("t", 0, 1), "a second copy while nothing else is sent");
        copies.end("t", 0, false);
        assertFalse(copies.tryBegin("t", 0, 2), "one copy is still in flight, another piece too");
        copies.end("t", 0, false);
        assertEquals(0, copies.tracked(), "no child got the piece: it is forgotten");
        assertTrue(copies.tryBegin("t", 0, 1), "a first copy again, while another piece is sent");
    }

    @Test
    void aZeroHoldNeverDeflectsAndTracksNothing() {
        RecentCopies none = new RecentCopies(0, clock::get);
        assertTrue(none.tryBegin("t", 0, 5));
        assertTrue(none.tryBegin("t", 0, 5));
        none.end("t", 0, true);
        assertEquals(0, none.tracked());
        assertThrows(IllegalArgumentException.class, () -> new RecentCopies(-1));
    }

    @Test
    void finishedPiecesPastTheHoldAreSweptOutAndInFlightOnesKept() {
        for (int n = 0; n < 300; n++) {
            assertTrue(copies.tryBegin("t", n, 0));
            if (n != 7) {
                copies.end("t", n, true);
            }
        }
        clock.addAndGet(HOLD);
        assertTrue(copies.tryBegin("t", 300, 0), "this call sweeps");
        assertEquals(2, copies.tracked(), "piece 7 (still in flight) and piece 300 remain");
        assertFalse(copies.tryBegin("t", 7, 2), "piece 7 is still in flight, and piece 300 too");
    }
}
