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

    /**
     * What a mount does to read a chunk: the chunk index first; on a miss, fetch the piece of its own blob that
     * holds the chunk (through getOrFetch, single-flight) and record the chunk.
     */
    static ByteBuffer mountRead(PieceStore s, String digest, String blob, int piece, PieceFetcher fetcher) {
        Optional<ByteBuffer> indexed = s.readChunk(digest);
        if (indexed.isPresent()) {
            return indexed.get();
        }
        ByteBuffer fetched = s.getOrFetch(blob, piece, fetcher);
        s.putChunk(digest, new ChunkLocation(blob, (long) piece * PLEN, PLEN));
        return fetched;
    }

    @Test
    void sharedChunkIsFetchedOnceAndForgottenWithItsTask() {
        String blobA = TestData.taskId("image-a");
        String blobB = TestData.taskId("image-b");
        String digest = "blake3:" + "cd".repeat(32);
        byte[] chunk = TestData.piece("the-shared-chunk", 0, PLEN, PLEN);
        AtomicInteger fetches = new AtomicInteger();
        PieceFetcher counting = (t, n, o, l) -> {
            fetches.incrementAndGet();
            return new FetchedPiece(ByteBuffer.wrap(chunk), PieceDigests.crc32(chunk));
        };
        PieceStoreConfig c = PieceStoreConfig.builder().gcInterval(Duration.ZERO).build();
        try (PieceStore s = PieceStore.open(dir, c)) {
            s.createTask(blobA, LEN, PLEN);
            s.createTask(blobB, LEN, PLEN);
            // image A's mount: not indexed yet, so piece 2 of blob A is fetched and the chunk recorded
            assertArrayEquals(chunk, TestData.bytes(mountRead(s, digest, blobA, 2, counting)));
            assertEquals(1, fetches.get());
            // image B has the same chunk as piece 0 of its own blob: same path, same counting fetcher
            assertArrayEquals(chunk, TestData.bytes(mountRead(s, digest, blobB, 0, counting)));
            assertEquals(1, fetches.get(), "image B fetched the chunk again");
            assertEquals(0, s.taskInfo(blobB).orElseThrow().storedPieces(), "stored once, in blob A");
            assertEquals(PLEN, s.storedBytes());
            assertEquals(blobA, s.lookupChunk(digest).orElseThrow().taskId());
            // once blob A is gone the index forgets the chunk, and B's next read fetches it into its own blob
            s.deleteTask(blobA);
            assertTrue(s.lookupChunk(digest).isEmpty());
            assertTrue(s.readChunk(digest).isEmpty());
            assertArrayEquals(chunk, TestData.bytes(mountRead(s, digest, blobB, 0, counting)));
            assertEquals(2, fetches.get());
            assertTrue(s.hasPiece(blobB, 0));
        }
    }
}
