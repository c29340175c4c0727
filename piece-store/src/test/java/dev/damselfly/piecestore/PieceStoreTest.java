package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes, reads (buffer, caller's buffer, region), digests, idempotence, persistence and metrics. */
class PieceStoreTest {
    static final long LEN = 10_000;
    static final int PLEN = 4096;

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    PieceStore open() {
        return PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO).build(), registry);
    }

    @Test
    void writeThenReadEveryWay() throws Exception {
        String id = TestData.taskId("a");
        try (PieceStore s = open()) {
            TaskInfo info = s.createTask(id, LEN, PLEN);
            assertEquals(3, info.pieceCount());
            for (int n = 0; n < 3; n++) {
                ByteBuffer b = TestData.buffer(id, n, LEN, PLEN);
                PieceInfo p = s.writePiece(id, n, b, PieceDigests.crc32(b));
                assertEquals(PieceGeometry.offset(n, PLEN), p.offset());
                assertEquals(b.remaining(), p.length());
            }
            assertEquals(1808, s.pieceInfo(id, 2).orElseThrow().length());
            assertTrue(s.taskInfo(id).orElseThrow().complete());
            assertEquals(LEN, s.storedBytes());
            for (int n = 0; n < 3; n++) {
                byte[] want = TestData.piece(id, n, LEN, PLEN);
                assertArrayEquals(want, TestData.bytes(s.readPiece(id, n)));
                ByteBuffer dst = ByteBuffer.allocate(PLEN + 10);
                dst.position(5);
                assertEquals(want.length, s.readPiece(id, n, dst));
                assertEquals(5 + want.length, dst.position());
                byte[] got = new byte[want.length];
                dst.flip().position(5);
                dst.get(got);
                assertArrayEquals(want, got);
                Path out = dir.resolve("out" + n);
                try (PieceRegion r = s.region(id, n);
                        FileChannel f = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    assertFalse(r.inMemory(), "a small piece is sent from its content file");
                    assertEquals(want.length, r.transferTo(f));
                }
                assertArrayEquals(want, Files.readAllBytes(out));
            }
            // the content file is one sparse file per task, at Dragonfly's path
            assertTrue(Files.isRegularFile(dir.resolve("content/tasks").resolve(id.substring(0, 3)).resolve(id)));
        }
    }

    @Test
    void streamWriteAndSha256() {
        String id = TestData.taskId("stream");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            byte[] b = TestData.piece(id, 1, LEN, PLEN);
            String sha = PieceDigests.formatSha256(PieceDigests.sha256Of(ByteBuffer.wrap(b)));
            PieceInfo p = s.writePiece(id, 1, new ByteArrayInputStream(b), sha);
            assertEquals(sha, p.sha256().orElseThrow());
            assertEquals(PieceDigests.crc32(b), p.digest());
            assertArrayEquals(b, TestData.bytes(s.readPiece(id, 1)));
            // short stream: typed error, nothing stored
            assertThrows(InvalidPieceException.class,
                    () -> s.writePiece(id, 0, new ByteArrayInputStream(new byte[100]), null));
            assertFalse(s.hasPiece(id, 0));
            // a stream whose bytes do not match: written to the file but never committed
            byte[] other = TestData.piece(id, 0, LEN, PLEN);
            String wrong = PieceDigests.crc32(b);
            DigestMismatchException e = assertThrows(DigestMismatchException.class,
                    () -> s.writePiece(id, 0, new ByteArrayInputStream(other), wrong));
            assertEquals(wrong, e.expected());
            assertEquals(PieceDigests.crc32(other), e.actual());
            assertFalse(s.hasPiece(id, 0));
        }
    }

    @Test
    void digestMismatchOnWriteStoresNothing() {
        String id = TestData.taskId("bad");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            ByteBuffer b = TestData.buffer(id, 0, LEN, PLEN);
            String good = PieceDigests.crc32(b);
            DigestMismatchException e = assertThrows(DigestMismatchException.class,
                    () -> s.writePiece(id, 0, b, "crc32:12345"));
            assertEquals(id, e.taskId());
            assertEquals(0, e.pieceNumber());
            assertEquals("crc32:12345", e.expected());
            assertEquals(good, e.actual());
            assertThrows(DigestMismatchException.class,
                    () -> s.writePiece(id, 0, b, "sha256:" + "0".repeat(64)));
            assertFalse(s.hasPiece(id, 0));
            assertEquals(0, s.storedBytes());
            assertEquals(2.0, registry.get("damselfly.piecestore.digest.failures").tag("stage", "write").counter().count());
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 0));
        }
    }

    @Test
    void badInputIsTyped() {
        String id = TestData.taskId("input");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            assertThrows(InvalidPieceException.class, () -> s.writePiece(id, 3, ByteBuffer.allocate(1), null));
            assertThrows(InvalidPieceException.class, () -> s.writePiece(id, 2, ByteBuffer.allocate(PLEN), null));
            assertThrows(InvalidPieceException.class, () -> s.writePiece(id, 0, ByteBuffer.allocate(PLEN), "md5:x"));
            assertThrows(InvalidPieceException.class, () -> s.createTask("../etc", 1, 1));
            assertThrows(InvalidPieceException.class, () -> s.createTask("x", 1, 0));
            assertThrows(TaskConflictException.class, () -> s.createTask(id, LEN + 1, PLEN));
            assertEquals(3, s.createTask(id, LEN, PLEN).pieceCount());
            assertThrows(TaskNotFoundException.class, () -> s.readPiece("nope", 0));
            assertThrows(InvalidPieceException.class, () -> s.readPiece(id, -1));
            assertThrows(InvalidPieceException.class, () -> s.readPiece(id, 0, ByteBuffer.allocate(10)));
        }
    }

    @Test
    void secondWriteOfAStoredPieceIsANoOpThatChecksTheDigest() {
        String id = TestData.taskId("twice");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            ByteBuffer b = TestData.buffer(id, 0, LEN, PLEN);
            s.writePiece(id, 0, b, null);
            assertEquals(PieceDigests.crc32(b), s.writePiece(id, 0, b, null).digest());
            assertThrows(DigestMismatchException.class, () -> s.writePiece(id, 0, ByteBuffer.allocate(PLEN), null));
            assertArrayEquals(TestData.bytes(b), TestData.bytes(s.readPiece(id, 0)));
            assertEquals(PLEN, s.storedBytes());
        }
    }

    @Test
    void piecesSurviveACleanRestart() {
        String id = TestData.taskId("restart");
        try (PieceStore s = open()) {
            assertTrue(s.cleanStart(), "a new store has nothing to distrust");
            s.createTask(id, LEN, PLEN);
            s.writePiece(id, 2, TestData.buffer(id, 2, LEN, PLEN), null);
        }
        try (PieceStore s = open()) {
            assertTrue(s.cleanStart());
            BitSet stored = s.storedPieces(id);
            assertEquals(BitSet.valueOf(new long[] {0b100}), stored);
            assertArrayEquals(TestData.piece(id, 2, LEN, PLEN), TestData.bytes(s.readPiece(id, 2)));
            assertEquals(1808, s.storedBytes());
        }
    }

    @Test
    void metricsCountHitsMissesAndStoredBytes() {
        String id = TestData.taskId("metrics");
        try (PieceStore s = open()) {
            s.createTask(id, LEN, PLEN);
            s.writePiece(id, 0, TestData.buffer(id, 0, LEN, PLEN), null);
            s.readPiece(id, 0);
            s.readPiece(id, 0);
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 1));
            assertEquals(2.0, registry.get("damselfly.piecestore.reads").tag("result", "hit").counter().count());
            assertEquals(1.0, registry.get("damselfly.piecestore.reads").tag("result", "miss").counter().count());
            assertTrue(registry.get("damselfly.piecestore.hot.cache").tag("result", "hit").counter().count() >= 1.0);
            assertEquals(PLEN, registry.get("damselfly.piecestore.stored.bytes").gauge().value());
            assertEquals(1.0, registry.get("damselfly.piecestore.stored.pieces").gauge().value());
            assertEquals(PLEN, registry.get("damselfly.piecestore.written.bytes").counter().count());
        }
    }

    @Test
    void explicitDeleteTellsTheListenerAndRemovesTheFile() {
        String id = TestData.taskId("del");
        java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        PieceStoreConfig c = PieceStoreConfig.builder().gcInterval(Duration.ZERO)
                .deletionListener((t, r) -> events.add(t + ":" + r)).build();
        try (PieceStore s = PieceStore.open(dir, c, registry)) {
            s.createTask(id, LEN, PLEN);
            s.writePiece(id, 0, TestData.buffer(id, 0, LEN, PLEN), null);
            Path file = dir.resolve("content/tasks").resolve(id.substring(0, 3)).resolve(id);
            assertTrue(Files.exists(file));
            assertTrue(s.deleteTask(id));
            assertFalse(s.deleteTask(id));
            assertFalse(Files.exists(file));
            assertEquals(java.util.List.of(id + ":EXPLICIT"), events);
            assertThrows(TaskNotFoundException.class, () -> s.readPiece(id, 0));
            assertEquals(0, s.storedBytes());
            // recreated under the same id, it starts empty
            s.createTask(id, LEN, PLEN);
            assertFalse(s.hasPiece(id, 0));
        }
        try (PieceStore s = open()) {
            assertFalse(s.hasPiece(id, 0));
        }
    }
}
