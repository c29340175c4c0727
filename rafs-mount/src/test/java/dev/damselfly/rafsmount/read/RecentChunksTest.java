package dev.damselfly.rafsmount.read;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** What the in-memory set of recently delivered chunks keeps, and its bound. */
class RecentChunksTest {
    private static final int MIB = 1 << 20;

    @Test
    void keepsChunksLargerThanOneFuseReadAndAnswersTheSameArray() {
        RecentChunks<String> recent = new RecentChunks<>(4L * MIB);
        byte[] large = new byte[MIB];
        recent.offer("large", large);
        assertSame(large, recent.get("large"));
    }

    @Test
    void leavesChunksOfAtMostOneFuseReadToThePageCache() {
        RecentChunks<String> recent = new RecentChunks<>(4L * MIB);
        recent.offer("one-read", new byte[RecentChunks.FUSE_READ_BYTES]);
        assertNull(recent.get("one-read"));
        assertEquals(0, recent.heldBytes());
    }

    @Test
    void staysWithinItsBoundDroppingTheLeastRecentlyUsed() {
        RecentChunks<Integer> recent = new RecentChunks<>(4L * MIB);
        for (int i = 0; i < 10; i++) {
            recent.offer(i, new byte[MIB]);
        }
        long held = recent.heldBytes();
        assertEquals(4L * MIB, held, "held " + held);
        assertEquals(MIB, recent.get(9).length);
        assertNull(recent.get(0));
        recent.get(6); // used: the next chunk in pushes out 7, not 6
        recent.offer(10, new byte[MIB]);
        assertNull(recent.get(7));
        assertEquals(MIB, recent.get(6).length);
        assertEquals(4L * MIB, recent.heldBytes());
    }

    @Test
    void forgetsAnInvalidatedChunkAndKeepsNothingWithAZeroBound() {
        RecentChunks<String> recent = new RecentChunks<>(4L * MIB);
        recent.offer("a", new byte[2 * MIB]);
        recent.invalidate("a");
        assertNull(recent.get("a"));
        RecentChunks<String> none = new RecentChunks<>(0);
        none.offer("a", new byte[2 * MIB]);
        assertNull(none.get("a"));
        assertThrows(IllegalArgumentException.class, () -> new RecentChunks<String>(-1));
    }
}
