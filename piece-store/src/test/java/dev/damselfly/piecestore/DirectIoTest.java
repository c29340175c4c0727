package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct I/O on the real file system of the temp directory (ext4 here and in CI): aligned pieces bypass the page
 * cache both ways, whatever buffer they come in; unaligned ones take the page cache; the bytes and the CRC checks
 * are the same either way.
 */
class DirectIoTest {
    private static final int PIECE = 64 * 1024;
    private static final String TASK = "d".repeat(64);

    @TempDir
    Path dir;

    @Test
    void alignedPiecesGoDirectBothWaysAndReadBackExactly() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(5 * PIECE + 1000); // pieces 0-4 aligned, piece 5 is 1000 bytes
        try (PieceStore store = openWithoutHotSet(meters)) {
            store.createTask(TASK, content.length, PIECE);
            for (int n = 0; n < 6; n++) {
                int length = lengthOf(content, n);
                ByteBuffer src = n % 2 == 0
                        ? ByteBuffer.wrap(content, n * PIECE, length) // heap: staged into an aligned buffer
                        : alignedCopy(content, n * PIECE, length);     // aligned direct: written as it is
                store.writePiece(TASK, n, src, null);
            }
            assertEquals(5.0 * PIECE, direct(meters, "write"), "the five aligned pieces, not the short last one");

            ByteBuffer aligned = store.newReadBuffer(PIECE); // direct, aligned to the probed block size
            assertTrue(aligned.isDirect() && aligned.alignmentOffset(0, 4096) == 0 && aligned.capacity() == PIECE);
            for (int n = 0; n < 6; n++) {
                int length = lengthOf(content, n);
                aligned.clear();
                store.readPieceFromFile(TASK, n, aligned);
                aligned.flip();
                byte[] got = new byte[length];
                aligned.get(got);
                assertArrayEquals(java.util.Arrays.copyOfRange(content, n * PIECE, n * PIECE + length), got,
                        "piece " + n);
                ByteBuffer heap = store.readPiece(TASK, n); // page-cache path over the same file
                assertEquals(ByteBuffer.wrap(content, n * PIECE, length), heap, "piece " + n + " read buffered");
            }
            assertEquals(5.0 * PIECE, direct(meters, "read"), "aligned reads from the file into the aligned buffer only");
            aligned.clear();
            store.readPiece(TASK, 0, aligned); // an ordinary read uses the page cache, aligned buffer or not
            assertEquals(5.0 * PIECE, direct(meters, "read"));
        }
    }

    @Test
    void aDirectReadStillCatchesBytesCorruptedBehindTheStore() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(2 * PIECE);
        try (PieceStore store = PieceStore.open(dir.resolve("s"), PieceStoreConfig.builder().build(), meters)) {
            store.createTask(TASK, content.length, PIECE);
            store.writePiece(TASK, 0, ByteBuffer.wrap(content, 0, PIECE), null);
            store.writePiece(TASK, 1, ByteBuffer.wrap(content, PIECE, PIECE), null);
            Path file = store.completeContentFile(TASK).orElseThrow();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) ~content[PIECE + 7]}), PIECE + 7);
            }
            ByteBuffer aligned = store.newReadBuffer(PIECE);
            store.readPieceFromFile(TASK, 0, aligned);
            aligned.clear();
            assertThrows(PieceNotFoundException.class, () -> store.readPieceFromFile(TASK, 1, aligned));
            assertFalse(store.hasPiece(TASK, 1), "the corrupt piece is dropped, to be fetched again");
            assertEquals(2.0 * PIECE, direct(meters, "read"), "both reads went direct");
        }
    }

    @Test
    void aPieceWrittenThroughThePageCacheIsReadBackFromIt() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(2 * PIECE);
        try (PieceStore first = PieceStore.open(dir.resolve("s"),
                PieceStoreConfig.builder().hotCacheBytes(0).directIo(false).build(), meters)) {
            first.createTask(TASK, content.length, PIECE);
            first.writePiece(TASK, 0, alignedCopy(content, 0, PIECE), null); // no direct I/O: the page cache
        }
        try (PieceStore store = openWithoutHotSet(meters)) {
            store.writePiece(TASK, 1, alignedCopy(content, PIECE, PIECE), null); // aligned: direct
            assertEquals(1.0 * PIECE, direct(meters, "write"));
            ByteBuffer aligned = store.newReadBuffer(PIECE);
            store.readPieceFromFile(TASK, 0, aligned);
            aligned.flip();
            assertEquals(ByteBuffer.wrap(content, 0, PIECE), aligned);
            assertEquals(0.0, direct(meters, "read"), "the page cache holds piece 0: no disk read for it");
            aligned.clear();
            store.readPieceFromFile(TASK, 1, aligned);
            aligned.flip();
            assertEquals(ByteBuffer.wrap(content, PIECE, PIECE), aligned);
            assertEquals(1.0 * PIECE, direct(meters, "read"), "piece 1 went around the page cache both ways");
        }
        try (PieceStore reopened = openWithoutHotSet(meters)) {
            ByteBuffer aligned = ByteBuffer.allocateDirect(PIECE + 4096).alignedSlice(4096);
            reopened.readPieceFromFile(TASK, 1, aligned);
            aligned.flip();
            assertEquals(ByteBuffer.wrap(content, PIECE, PIECE), aligned, "after a restart: read through the page cache");
            assertEquals(1.0 * PIECE, direct(meters, "read"));
        }
    }

    @Test
    void piecesStreamedInAreGatheredAndWrittenDirectWhenAligned() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(5 * PIECE + 1000); // pieces 0-4 aligned, piece 5 is 1000 bytes
        try (PieceStore store = openWithoutHotSet(meters)) {
            store.createTask(TASK, content.length, PIECE);
            for (int n = 0; n < 6; n++) {
                int length = lengthOf(content, n);
                store.writePiece(TASK, n, new TrickleStream(content, n * PIECE, length), null);
            }
            assertEquals(5.0 * PIECE, direct(meters, "write"), "the five aligned pieces, not the short last one");
            ByteBuffer aligned = store.newReadBuffer(PIECE);
            for (int n = 0; n < 6; n++) {
                int length = lengthOf(content, n);
                aligned.clear();
                store.readPieceFromFile(TASK, n, aligned);
                aligned.flip();
                assertEquals(ByteBuffer.wrap(content, n * PIECE, length), aligned, "piece " + n);
                assertEquals(ByteBuffer.wrap(content, n * PIECE, length), store.readPiece(TASK, n),
                        "piece " + n + " read buffered");
            }
            assertEquals(5.0 * PIECE, direct(meters, "read"), "what was written direct is read back direct");
        }
    }

    @Test
    void aPieceStreamedInWholeIsOfferedToTheHotSetLikeAPieceHandedOver() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(PIECE + 1000);
        try (PieceStore store = PieceStore.open(dir.resolve("s"), PieceStoreConfig.builder().build(), meters)) {
            store.createTask(TASK, content.length, PIECE);
            store.writePiece(TASK, 0, new TrickleStream(content, 0, PIECE), null);       // gathered whole: direct
            store.writePiece(TASK, 1, new TrickleStream(content, PIECE, 1000), null);    // short: page cache
            assertEquals(ByteBuffer.wrap(content, 0, PIECE), store.readPiece(TASK, 0));
            assertEquals(ByteBuffer.wrap(content, PIECE, 1000), store.readPiece(TASK, 1));
            double hits = meters.get(StoreMetrics.PREFIX + "hot.cache").tag("result", "hit").counter().count();
            assertEquals(1.0, hits, "piece 0 from the hot set; piece 1 was never in a whole buffer");
        }
    }

    @Test
    void aStreamThatEndsEarlyWritesNothingAndGivesItsBufferBack() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(2 * PIECE);
        try (PieceStore store = openWithoutHotSet(meters)) {
            store.createTask(TASK, content.length, PIECE);
            for (int i = 0; i < 2 * DirectIo.STREAM_BUFFERS; i++) { // more failures than the pool has buffers
                assertThrows(InvalidPieceException.class,
                        () -> store.writePiece(TASK, 0, new TrickleStream(content, 0, PIECE - 1), null));
            }
            assertFalse(store.hasPiece(TASK, 0));
            assertEquals(0.0, direct(meters, "write"), "no byte of a piece that never arrived whole is written");
            store.writePiece(TASK, 0, new TrickleStream(content, 0, PIECE), null);
            assertEquals(1.0 * PIECE, direct(meters, "write"), "the pool still has a buffer: nothing leaked");
            assertEquals(ByteBuffer.wrap(content, 0, PIECE), store.readPiece(TASK, 0));
        }
    }

    @Test
    void aStreamedPieceWithTheWrongDigestNeverReachesTheFile() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(2 * PIECE);
        try (PieceStore store = openWithoutHotSet(meters)) {
            store.createTask(TASK, content.length, PIECE);
            store.writePiece(TASK, 0, new TrickleStream(content, 0, PIECE), null);
            assertThrows(DigestMismatchException.class, () -> store.writePiece(TASK, 1,
                    new TrickleStream(content, PIECE, PIECE), "sha256:" + "0".repeat(64)));
            assertFalse(store.hasPiece(TASK, 1));
            assertEquals(1.0 * PIECE, direct(meters, "write"), "only piece 0 was written");
            Path file = new ContentLayout(dir.resolve("s")).pathOf(TASK);
            ByteBuffer tail = ByteBuffer.allocate(PIECE);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ch.read(tail, PIECE);
            }
            tail.flip();
            while (tail.hasRemaining()) {
                assertEquals(0, tail.get(), "no byte of the rejected piece is in the content file");
            }
        }
    }

    /** A stream that hands out at most 1000 bytes per read, as a socket does. */
    private static final class TrickleStream extends java.io.ByteArrayInputStream {
        TrickleStream(byte[] buf, int offset, int length) {
            super(buf, offset, length);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1000));
        }
    }

    @Test
    void turnedOffEverythingGoesThroughThePageCache() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        byte[] content = content(2 * PIECE);
        try (PieceStore store = PieceStore.open(dir.resolve("s"), PieceStoreConfig.builder().directIo(false).build(),
                meters)) {
            store.createTask(TASK, content.length, PIECE);
            store.writePiece(TASK, 0, alignedCopy(content, 0, PIECE), null);
            store.writePiece(TASK, 1, ByteBuffer.wrap(content, PIECE, PIECE), null);
            ByteBuffer aligned = store.newReadBuffer(PIECE);
            assertFalse(aligned.isDirect(), "no direct I/O, no direct buffer needed");
            store.readPieceFromFile(TASK, 0, aligned);
            aligned.flip();
            assertEquals(ByteBuffer.wrap(content, 0, PIECE), aligned);
            assertEquals(0.0, direct(meters, "write") + direct(meters, "read"));
        }
    }

    /** Length of piece {@code n} of {@code content}: {@link #PIECE}, or what is left for the last one. */
    private static int lengthOf(byte[] content, int n) {
        return Math.min(PIECE, content.length - n * PIECE);
    }

    /** The store in {@code dir/s}, without the hot set, so that every read comes from the content file. */
    private PieceStore openWithoutHotSet(SimpleMeterRegistry meters) {
        return PieceStore.open(dir.resolve("s"), PieceStoreConfig.builder().hotCacheBytes(0).build(), meters);
    }

    private static double direct(SimpleMeterRegistry meters, String op) {
        return meters.get(StoreMetrics.PREFIX + "direct.bytes").tag("op", op).counter().count();
    }

    private static ByteBuffer alignedCopy(byte[] content, int from, int length) {
        int rounded = (length + 4095) / 4096 * 4096; // alignedSlice rounds its capacity down to whole blocks
        ByteBuffer b = ByteBuffer.allocateDirect(rounded + 4096).alignedSlice(4096);
        b.put(content, from, length).flip();
        return b;
    }

    private static byte[] content(int length) {
        byte[] b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }
}
