package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The recent pieces on their own: the byte bound, least recently used out, held buffers never reused, pieces an
 * in-order reader still awaits kept ahead of the others.
 */
class RecentPiecesTest {
    /** Piece size in these tests: 64 KiB, the smallest buffer. */
    static final int PIECE = 64 << 10;
    static final String TASK = TestData.taskId("recent");

    static ByteBuffer piece(int n) {
        return TestData.buffer(TASK, n, 100L * PIECE, PIECE);
    }

    static byte[] bytesOf(RecentPieces.Held h) {
        return TestData.bytes(h.bytes());
    }

    @Test
    void keepsTheNewestPiecesWithinTheByteBound() {
        RecentPieces recent = new RecentPieces(4L * PIECE);
        for (int n = 0; n < 6; n++) {
            recent.offer(new PieceKey(TASK, n), piece(n));
            assertTrue(recent.keptBytes() <= 4L * PIECE, "kept " + recent.keptBytes());
            assertTrue(recent.allocatedBytes() <= 4L * PIECE, "allocated " + recent.allocatedBytes());
        }
        assertEquals(4, recent.size());
        assertNull(recent.get(new PieceKey(TASK, 0)));
        assertNull(recent.get(new PieceKey(TASK, 1)));
        for (int n = 2; n < 6; n++) {
            try (RecentPieces.Held h = recent.get(new PieceKey(TASK, n))) {
                assertNotNull(h, "piece " + n);
                assertArrayEquals(TestData.bytes(piece(n)), bytesOf(h));
            }
        }
    }

    @Test
    void aReadRefreshesAPieceSoTheLeastRecentlyUsedGoesFirst() {
        RecentPieces recent = new RecentPieces(2L * PIECE);
        recent.offer(new PieceKey(TASK, 0), piece(0));
        recent.offer(new PieceKey(TASK, 1), piece(1));
        recent.get(new PieceKey(TASK, 0)).close();
        recent.offer(new PieceKey(TASK, 2), piece(2));
        assertNull(recent.get(new PieceKey(TASK, 1)), "piece 1 was used least recently");
        try (RecentPieces.Held h = recent.get(new PieceKey(TASK, 0))) {
            assertNotNull(h);
        }
    }

    @Test
    void aHeldPieceKeepsItsBytesAfterTheSetDropsIt() {
        RecentPieces recent = new RecentPieces(2L * PIECE);
        recent.offer(new PieceKey(TASK, 0), piece(0));
        RecentPieces.Held held = recent.get(new PieceKey(TASK, 0));
        for (int n = 1; n < 10; n++) { // churns the set; piece 0's buffer must not be handed out again
            recent.offer(new PieceKey(TASK, n), piece(n));
            assertArrayEquals(TestData.bytes(piece(0)), bytesOf(held), "after offering piece " + n);
        }
        assertNull(recent.get(new PieceKey(TASK, 0)));
        // while piece 0 is held, only one buffer is left for the set
        assertEquals(1, recent.size());
        held.close();
        held.close(); // a second close does nothing
        recent.offer(new PieceKey(TASK, 10), piece(10));
        assertEquals(2, recent.size(), "the released buffer is used again");
        assertEquals(2L * PIECE, recent.allocatedBytes());
    }

    @Test
    void aNewPieceIsNotKeptWhileReadersHoldEveryBuffer() {
        RecentPieces recent = new RecentPieces(2L * PIECE);
        recent.offer(new PieceKey(TASK, 0), piece(0));
        recent.offer(new PieceKey(TASK, 1), piece(1));
        RecentPieces.Held a = recent.get(new PieceKey(TASK, 0));
        RecentPieces.Held b = recent.get(new PieceKey(TASK, 1));
        recent.offer(new PieceKey(TASK, 2), piece(2));
        assertNull(recent.get(new PieceKey(TASK, 2)), "no buffer was free");
        assertEquals(2L * PIECE, recent.allocatedBytes(), "nothing allocated beyond the bound");
        assertArrayEquals(TestData.bytes(piece(0)), bytesOf(a));
        assertArrayEquals(TestData.bytes(piece(1)), bytesOf(b));
        a.close();
        b.close();
        recent.offer(new PieceKey(TASK, 2), piece(2));
        try (RecentPieces.Held h = recent.get(new PieceKey(TASK, 2))) {
            assertArrayEquals(TestData.bytes(piece(2)), bytesOf(h));
        }
    }

    @Test
    void invalidatingATaskDropsOnlyItsPieces() {
        String other = TestData.taskId("recent-other");
        RecentPieces recent = new RecentPieces(8L * PIECE);
        for (int n = 0; n < 3; n++) {
            recent.offer(new PieceKey(TASK, n), piece(n));
            recent.offer(new PieceKey(other, n), piece(n));
        }
        recent.invalidateTask(TASK);
        recent.invalidate(new PieceKey(other, 1));
        assertEquals(2, recent.size());
        assertEquals(2L * PIECE, recent.keptBytes());
        assertNull(recent.get(new PieceKey(TASK, 0)));
        assertNull(recent.get(new PieceKey(other, 1)));
        assertNotNull(recent.get(new PieceKey(other, 2)));
    }

    @Test
    void aPieceOfAnOddLengthTakesThePowerOfTwoAboveIt() {
        RecentPieces recent = new RecentPieces(1L << 20);
        int length = 100 << 10;
        ByteBuffer bytes = ByteBuffer.wrap(TestData.piece(TASK, 0, length, length));
        recent.offer(new PieceKey(TASK, 7), bytes);
        assertEquals(0, bytes.position(), "the offered buffer is left as it was");
        try (RecentPieces.Held h = recent.get(new PieceKey(TASK, 7))) {
            assertEquals(length, h.length());
            assertArrayEquals(TestData.bytes(bytes), bytesOf(h));
        }
        assertEquals(128L << 10, recent.keptBytes());
    }

    @Test
    void nothingIsKeptWithoutABudgetOrWhenAPieceExceedsIt() {
        RecentPieces none = new RecentPieces(0);
        none.offer(new PieceKey(TASK, 0), piece(0));
        assertEquals(0, none.size());
        RecentPieces small = new RecentPieces(PIECE);
        small.offer(new PieceKey(TASK, 0), ByteBuffer.allocate(PIECE + 1));
        assertEquals(0, small.size());
        assertEquals(0, small.allocatedBytes());
    }

    @Test
    void piecesAFollowerAwaitsOutlastPiecesNobodyAwaits() {
        String other = TestData.taskId("recent-other");
        RecentPieces recent = new RecentPieces(4L * PIECE);
        try (RecentPieces.Follower follower = recent.follow(TASK, 0, 99)) {
            recent.offer(new PieceKey(TASK, 0), piece(0));
            recent.offer(new PieceKey(other, 0), piece(0));
            recent.offer(new PieceKey(TASK, 1), piece(1));
            recent.offer(new PieceKey(other, 1), piece(1));
            assertTrue(recent.offer(new PieceKey(TASK, 2), piece(2)));
            assertTrue(recent.offer(new PieceKey(TASK, 3), piece(3)));
            assertEquals(4, recent.size());
            assertNull(recent.get(new PieceKey(other, 0)), "nobody awaits the other task's pieces: they go first");
            assertNull(recent.get(new PieceKey(other, 1)));
            for (int n = 0; n < 4; n++) {
                try (RecentPieces.Held h = recent.get(new PieceKey(TASK, n))) {
                    assertNotNull(h, "awaited piece " + n);
                    assertArrayEquals(TestData.bytes(piece(n)), bytesOf(h));
                }
            }
        }
    }

    @Test
    void whenOnlyAwaitedPiecesAreLeftANewcomerIsNotKeptUntilTheFollowerMovesOn() {
        RecentPieces recent = new RecentPieces(2L * PIECE);
        RecentPieces.Follower follower = recent.follow(TASK, 0, 99);
        recent.offer(new PieceKey(TASK, 0), piece(0));
        recent.offer(new PieceKey(TASK, 1), piece(1));
        recent.get(new PieceKey(TASK, 1)).close(); // a use does not make a piece less awaited
        assertFalse(recent.offer(new PieceKey(TASK, 2), piece(2)), "no room beside two awaited pieces");
        assertNull(recent.get(new PieceKey(TASK, 2)));
        assertEquals(2, recent.size());

        follower.moveTo(1); // piece 0 read: no longer awaited
        follower.moveTo(0); // never back
        assertTrue(recent.offer(new PieceKey(TASK, 2), piece(2)));
        assertNull(recent.get(new PieceKey(TASK, 0)), "the passed piece made room");
        assertNotNull(recent.get(new PieceKey(TASK, 1)));
        assertFalse(recent.offer(new PieceKey(TASK, 3), piece(3)), "pieces 1 and 2 are still awaited");

        follower.close();
        follower.close();
        follower.moveTo(50); // after close: nothing
        assertEquals(0, recent.followerCount());
        assertTrue(recent.offer(new PieceKey(TASK, 3), piece(3)), "a closed follower awaits nothing");
        assertEquals(2, recent.size());
    }

    @Test
    void aFollowerAwaitsOnlyItsOwnRangeFromItsPlaceOn() {
        RecentPieces recent = new RecentPieces(3L * PIECE);
        try (RecentPieces.Follower follower = recent.follow(TASK, 2, 3)) {
            recent.offer(new PieceKey(TASK, 2), piece(2));
            recent.offer(new PieceKey(TASK, 3), piece(3));
            recent.offer(new PieceKey(TASK, 1), piece(1)); // before the range
            recent.offer(new PieceKey(TASK, 4), piece(4)); // after it: piece 1 goes, not 2 or 3
            assertNull(recent.get(new PieceKey(TASK, 1)));
            recent.offer(new PieceKey(TASK, 5), piece(5)); // piece 4 goes
            assertNull(recent.get(new PieceKey(TASK, 4)));
            assertNotNull(recent.get(new PieceKey(TASK, 2)));
            assertNotNull(recent.get(new PieceKey(TASK, 3)));
            assertEquals(1, recent.followerCount());
        }
        assertEquals(0, recent.followerCount());
    }

    @Test
    void twoFollowersOfOneTaskBothHaveToPassAPiece() {
        RecentPieces recent = new RecentPieces(2L * PIECE);
        RecentPieces.Follower stream = recent.follow(TASK, 0, 99);
        RecentPieces.Follower hasher = recent.follow(TASK, 0, 99);
        recent.offer(new PieceKey(TASK, 0), piece(0));
        recent.offer(new PieceKey(TASK, 1), piece(1));
        stream.moveTo(2);
        assertFalse(recent.offer(new PieceKey(TASK, 2), piece(2)), "the hasher still awaits 0 and 1");
        hasher.moveTo(1);
        assertTrue(recent.offer(new PieceKey(TASK, 2), piece(2)));
        assertNull(recent.get(new PieceKey(TASK, 0)));
        stream.close();
        hasher.close();
        assertEquals(0, recent.followerCount());
    }

    @Test
    void piecesFarAheadOfAFollowerAreNotAwaitedAndGoLeastRecentlyUsedFirst() {
        RecentPieces recent = new RecentPieces(2L * PIECE);
        int far = RecentPieces.AWAIT_PIECES; // the first piece beyond what a follower at 0 awaits
        try (RecentPieces.Follower follower = recent.follow(TASK, 0, 99)) {
            recent.offer(new PieceKey(TASK, far), piece(far));
            recent.offer(new PieceKey(TASK, far + 1), piece(far + 1));
            assertTrue(recent.offer(new PieceKey(TASK, far + 2), piece(far + 2)), "nobody awaits pieces that far ahead");
            assertNull(recent.get(new PieceKey(TASK, far)), "the least recently used went");
            assertTrue(recent.offer(new PieceKey(TASK, 0), piece(0)), "an awaited newcomer displaces one that is not");
            assertTrue(kept(recent, 0));
            follower.moveTo(3); // piece 0 is passed, far + 2 is now among the pieces it awaits
            assertTrue(recent.offer(new PieceKey(TASK, 1), piece(1)));
            assertTrue(recent.offer(new PieceKey(TASK, 2), piece(2)));
            assertNull(recent.get(new PieceKey(TASK, 0)));
            assertNull(recent.get(new PieceKey(TASK, 1)), "pieces before its place go, least recently used first");
            assertTrue(kept(recent, far + 2), "the awaited piece stays");
        }
    }

    /** Whether piece {@code n} of the task is kept (a use, released at once). */
    private static boolean kept(RecentPieces recent, int n) {
        try (RecentPieces.Held h = recent.get(new PieceKey(TASK, n))) {
            return h != null;
        }
    }
}
