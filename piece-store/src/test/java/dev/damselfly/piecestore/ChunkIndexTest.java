package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content-addressed chunks: one chunk shared by two images is stored and fetched once. */
class ChunkIndexTest {
    static final long LEN = 30_000;
    static final int PLEN = 10_000;

    @TempDir
    Path dir;

    @Test
    void chunkSpanningPiecesIsFoundOnlyWhenStoredAndSurvivesRestart() {
        String blob = TestData.taskId("image-a-blob");
        String digest = "sha256:" + "ab".repeat(32);
        ChunkLocation loc = new ChunkLocation(blob, 9_000, 2_500); // spans pieces 0 and 1
        PieceStoreConfig c = PieceStoreConfig.builder().gcInterval(Duration.ZERO).build();
        try (PieceStore s = PieceStore.open(dir, c)) {
            s.createTask(blob, LEN, PLEN);
            s.putChunk(digest, loc);
            assertEquals(Optional.empty(), s.lookupChunk(digest), "no pieces yet");
            s.writePiece(blob, 0, TestData.buffer(blob, 0, LEN, PLEN), null);
            assertEquals(Optional.empty(), s.lookupChunk(digest), "piece 1 still missing");
            s.writePiece(blob, 1, TestData.buffer(blob, 1, LEN, PLEN), null);
            assertEquals(Optional.of(loc), s.lookupChunk(digest));
            assertThrows(InvalidPieceException.class,
                    () -> s.putChunk("sha256:x", new ChunkLocation(blob, LEN - 1, 2)));
        }
        try (PieceStore s = PieceStore.open(dir, c)) {
            byte[] whole = new byte[20_000];
            System.arraycopy(TestData.piece(blob, 0, LEN, PLEN), 0, whole, 0, PLEN);
            System.arraycopy(TestData.piece(blob, 1, LEN, PLEN), 0, whole, PLEN, PLEN);
            byte[] want = Arrays.copyOfRange(whole, 9_000, 11_500);
            assertArrayEquals(want, TestData.bytes(s.readChunk(digest).orElseThrow()));
        }
    }

    @Test
    void sharedChunkIsFetchedOnceAndForgottenWithItsTask() {
        String blobA = TestData.taskId("image-a");
        String digest = "blake3:" + "cd".repeat(32);
        AtomicInteger fetches = new AtomicInteger();
        PieceStoreConfig c = PieceStoreConfig.builder().gcInterval(Duration.ZERO).build();
        try (PieceStore s = PieceStore.open(dir, c)) {
            // image A's mount reads the chunk: missing, so it fetches piece 2 of its blob and records the chunk
            s.createTask(blobA, LEN, PLEN);
            if (s.lookupChunk(digest).isEmpty()) {
                s.getOrFetch(blobA, 2, (t, n, o, l) -> {
                    fetches.incrementAndGet();
                    return new FetchedPiece(TestData.buffer(t, n, LEN, PLEN), null);
                });
                s.putChunk(digest, new ChunkLocation(blobA, 2L * PLEN, PLEN));
            }
            // image B has the same chunk in another blob: the index answers, no fetch
            ChunkLocation found = s.lookupChunk(digest).orElseThrow();
            assertEquals(blobA, found.taskId());
            ByteBuffer bytes = s.readChunk(digest).orElseThrow();
            assertArrayEquals(TestData.piece(blobA, 2, LEN, PLEN), TestData.bytes(bytes));
            assertEquals(1, fetches.get());
            assertEquals(PLEN, s.storedBytes());
            s.deleteTask(blobA);
            assertTrue(s.lookupChunk(digest).isEmpty());
            assertTrue(s.readChunk(digest).isEmpty());
        }
    }
}
