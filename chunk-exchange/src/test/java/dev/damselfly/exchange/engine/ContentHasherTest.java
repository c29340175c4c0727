package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.piecestore.PieceNotFoundException;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running SHA-256 against a real store: pieces stored out of order, a piece corrupted on disk. */
class ContentHasherTest {
    private static final int PIECE = 64 * 1024;
    private static final String TASK = "a".repeat(64);

    @TempDir
    Path dir;
    private PieceStore store;
    private ExecutorService workers;

    @BeforeEach
    void open() {
        store = PieceStore.open(dir.resolve("store"), PieceStoreConfig.builder().syncWrites(false)
                .hotCacheBytes(0).build()); // every read goes to the content file
        workers = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() {
        workers.shutdownNow();
        store.close();
    }

    @Test
    void hashesTheWholeContentWhilePiecesArriveOutOfOrder() throws Exception {
        byte[] content = randomContent(37 * PIECE + 1234);
        int pieces = 38;
        store.createTask(TASK, content.length, PIECE);
        ContentHasher hasher = new ContentHasher(store, TASK, PIECE, pieces, workers);
        List<Integer> order = new ArrayList<>();
        for (int n = 0; n < pieces; n++) {
            order.add(n);
        }
        Collections.shuffle(order, new Random(7));
        BitSet stored = new BitSet();
        for (int n : order) {
            write(content, n);
            stored.set(n);
            hasher.advance(stored);
        }
        assertEquals(sha256(content), hasher.finish());
    }

    @Test
    void aPrefixHashedEarlyStaysRightWhenTheRestArrivesLater() throws Exception {
        byte[] content = randomContent(8 * PIECE);
        store.createTask(TASK, content.length, PIECE);
        ContentHasher hasher = new ContentHasher(store, TASK, PIECE, 8, workers);
        BitSet stored = new BitSet();
        for (int n : new int[] {0, 1, 2, 5}) {
            write(content, n);
            stored.set(n);
        }
        hasher.advance(stored); // hashes 0..2, not 5 (3 is missing)
        hasher.advance(stored); // nothing new (or still running): must not hash 5 early
        for (int n : new int[] {3, 4, 6, 7}) {
            write(content, n);
        }
        assertEquals(sha256(content), hasher.finish());
    }

    @Test
    void aPieceCorruptedOnDiskFailsTheHashInsteadOfEnteringIt() throws Exception {
        byte[] content = randomContent(4 * PIECE);
        store.createTask(TASK, content.length, PIECE);
        for (int n = 0; n < 4; n++) {
            write(content, n);
        }
        flipByteOnDisk(store, content, PIECE + 10);
        ContentHasher hasher = new ContentHasher(store, TASK, PIECE, 4, workers);
        BitSet stored = new BitSet();
        stored.set(0, 4);
        hasher.advance(stored); // the background job meets the corrupt piece and fails
        assertThrows(PieceNotFoundException.class, hasher::finish);
    }

    @Test
    void largePiecesAreHashedFromMemoryWhileKeptAndFromTheFileOnceDropped() throws Exception {
        int big = 512 * 1024; // above the hot cache's cutoff: kept among the recent pieces
        byte[] content = randomContent(12 * big - 777);
        // room for 3 pieces in memory: of 12 stored out of order, most are read back from the file
        try (PieceStore s = PieceStore.open(dir.resolve("big"), PieceStoreConfig.builder().syncWrites(false)
                .recentPiecesBytes(3L * big).build())) {
            s.createTask(TASK, content.length, big);
            // hashed on the calling thread: a background job still holding a dropped piece's buffer when the next
            // piece is written would leave no buffer for it (the store then simply does not keep it)
            ContentHasher hasher = new ContentHasher(s, TASK, big, 12, Runnable::run);
            BitSet stored = new BitSet();
            for (int n : new int[] {3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 10, 9}) {
                int from = n * big;
                s.writePiece(TASK, n, ByteBuffer.wrap(content, from, Math.min(big, content.length - from)), null);
                stored.set(n);
                hasher.advance(stored);
            }
            assertTrue(s.keepsInMemory(TASK, 9), "the piece stored last is still in memory");
            assertEquals(sha256(content), hasher.finish());
        }
    }

    @Test
    void aPieceStillInMemoryIsHashedAsItWasCheckedAndWritten() throws Exception {
        int big = 512 * 1024;
        byte[] content = randomContent(2 * big);
        try (PieceStore s = PieceStore.open(dir.resolve("mem"), PieceStoreConfig.builder().syncWrites(false).build())) {
            s.createTask(TASK, content.length, big);
            for (int n = 0; n < 2; n++) {
                s.writePiece(TASK, n, ByteBuffer.wrap(content, n * big, big), null);
            }
            // the file changes behind the store's back after the write: the hash is of the bytes that were written,
            // and the store's next read of the file catches the change
            flipByteOnDisk(s, content, big + 10);
            ContentHasher hasher = new ContentHasher(s, TASK, big, 2, workers);
            BitSet stored = new BitSet();
            stored.set(0, 2);
            hasher.advance(stored);
            assertEquals(sha256(content), hasher.finish());
            assertThrows(PieceNotFoundException.class, () -> s.checkPieceInFile(TASK, 1));
        }
    }

    /** Overwrites byte {@code at} of the task's content file with its complement, behind the store's back. */
    private static void flipByteOnDisk(PieceStore s, byte[] content, int at) throws Exception {
        Path file = s.completeContentFile(TASK).orElseThrow();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) ~content[at]}), at);
        }
    }

    private void write(byte[] content, int n) {
        int from = n * PIECE;
        int length = Math.min(PIECE, content.length - from);
        store.writePiece(TASK, n, ByteBuffer.wrap(content, from, length), null);
    }

    private static byte[] randomContent(int length) {
        byte[] b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
