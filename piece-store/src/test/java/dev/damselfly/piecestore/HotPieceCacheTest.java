package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hot cache through the store: bounded in bytes, and pieces above the size cutoff never enter it. */
class HotPieceCacheTest {
    /** Hot cache bound: 64 KiB. */
    static final long HOT_BYTES = 64 << 10;
    /** Largest piece the hot cache takes: 16 KiB. */
    static final int MAX_HOT_PIECE = 16 << 10;
    static final int SMALL = 4 << 10;
    static final int SMALL_PIECES = 200; // 800 KiB of small pieces, 12.5 times the bound

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    PieceStore open() {
        return PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO).hotCacheBytes(HOT_BYTES)
                .hotCacheMaxPieceBytes(MAX_HOT_PIECE).build(), registry);
    }

    double hotHits() {
        return registry.get("damselfly.piecestore.hot.cache").tag("result", "hit").counter().count();
    }

    @Test
    void manySmallPiecesStayWithinTheByteBound() {
        String id = TestData.taskId("hot-small");
        long len = (long) SMALL * SMALL_PIECES;
        try (PieceStore s = open()) {
            s.createTask(id, len, SMALL);
            s.writePiece(id, 0, TestData.buffer(id, 0, len, SMALL), null);
            s.readPiece(id, 0);
            assertEquals(1.0, hotHits(), "a small piece in an empty cache is a hot hit");
            for (int n = 1; n < SMALL_PIECES; n++) {
                s.writePiece(id, n, TestData.buffer(id, n, len, SMALL), null);
            }
            for (int round = 0; round < 2; round++) {
                for (int n = 0; n < SMALL_PIECES; n++) {
                    byte[] want = TestData.piece(id, n, len, SMALL);
                    if (n % 2 == 0) {
                        assertArrayEquals(want, TestData.bytes(s.readPiece(id, n)));
                    } else {
                        ByteBuffer dst = ByteBuffer.allocate(SMALL);
                        s.readPiece(id, n, dst);
                        assertArrayEquals(want, dst.array());
                    }
                    long held = s.hotCache().weightedSize();
                    assertTrue(held <= HOT_BYTES, "hot cache holds " + held + " bytes, bound " + HOT_BYTES);
                }
            }
            assertTrue(s.hotCache().weightedSize() > 0, "the cache was in use");
        }
    }

    @Test
    void aPieceAboveTheCutoffNeverYieldsAHotHit() {
        String id = TestData.taskId("hot-big");
        int big = 2 * MAX_HOT_PIECE; // 32 KiB: above the cutoff, yet would fit the 64 KiB bound
        long len = 2L * big;
        try (PieceStore s = open()) {
            s.createTask(id, len, big);
            for (int n = 0; n < 2; n++) {
                s.writePiece(id, n, TestData.buffer(id, n, len, big), null);
            }
            for (int round = 0; round < 3; round++) {
                for (int n = 0; n < 2; n++) {
                    assertArrayEquals(TestData.piece(id, n, len, big), TestData.bytes(s.readPiece(id, n)));
                    ByteBuffer dst = ByteBuffer.allocate(big);
                    s.readPiece(id, n, dst);
                }
            }
            assertEquals(0.0, hotHits());
            assertEquals(0, s.hotCache().weightedSize());
            assertEquals(12.0, registry.get("damselfly.piecestore.hot.cache").tag("result", "miss").counter().count());
        }
    }
}
