package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted, truncated and missing content; full disks; unclean stops. */
class FaultsTest {
    static final long LEN = 3 * 65536;
    static final int PLEN = 65536;

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<String> events = new CopyOnWriteArrayList<>();

    PieceStoreConfig.Builder config() {
        return PieceStoreConfig.builder().gcInterval(Duration.ZERO).hotCacheBytes(0)
                .deletionListener((t, r) -> events.add(t + ":" + r));
    }

    PieceStore open(Path d, PieceStoreConfig c) {
        return PieceStore.open(d, c, registry);
    }

    Path file(Path d, String id) {
        return d.resolve("content/tasks").resolve(id.substring(0, 3)).resolve(id);
    }

    static void fillTask(PieceStore s, String id) {
        s.createTask(id, LEN, PLEN);
        for (int n = 0; n < 3; n++) {
            s.writePiece(id, n, TestData.buffer(id, n, LEN, PLEN), null);
        }
    }

    static void flipByte(Path f, long pos) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, pos);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, pos);
        }
    }

    @Test
    void corruptionBehindOurBackIsDetectedDroppedAndReportedMissing() throws IOException {
        String id = TestData.taskId("corrupt");
        try (PieceStore s = open(dir, config().build())) {
            fillTask(s, id);
            s.readPiece(id, 1); // fine before
            flipByte(file(dir, id), PLEN + 100);
            PieceNotFoundException e = assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 1));
            DigestMismatchException cause = assertInstanceOf(DigestMismatchException.class, e.getCause());
            assertEquals(PieceDigests.crc32(TestData.piece(id, 1, LEN, PLEN)), cause.expected());
            assertFalse(s.hasPiece(id, 1), "dropped, so the P2P layer fetches it again");
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 1));
            // the region path checks too
            flipByte(file(dir, id), 5);
            assertThrows(PieceNotFoundException.class, () -> s.region(id, 0));
            assertFalse(s.hasPiece(id, 0));
            // ... and the caller's-buffer path, which must not leave the bad bytes looking delivered
            flipByte(file(dir, id), 2L * PLEN + 7);
            ByteBuffer dst = ByteBuffer.allocate(PLEN);
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 2, dst));
            assertEquals(0, dst.position());
            assertEquals(3.0, registry.get("damselfly.piecestore.digest.failures").tag("stage", "read").counter().count());
            assertEquals(0, s.storedBytes());
            // fetched again, it is served again
            s.writePiece(id, 1, TestData.buffer(id, 1, LEN, PLEN), null);
            assertArrayEquals(TestData.piece(id, 1, LEN, PLEN), TestData.bytes(s.readPiece(id, 1)));
        }
        try (PieceStore s = open(dir, config().build())) {
            assertEquals(List.of(false, true, false), List.of(s.hasPiece(id, 0), s.hasPiece(id, 1), s.hasPiece(id, 2)));
        }
    }

    @Test
    void truncatedContentFileDropsThePiecesBeyondIt() throws IOException {
        String id = TestData.taskId("trunc");
        try (PieceStore s = open(dir, config().build())) {
            fillTask(s, id);
        }
        try (FileChannel ch = FileChannel.open(file(dir, id), StandardOpenOption.WRITE)) {
            ch.truncate(PLEN + 10);
        }
        try (PieceStore s = open(dir, config().build())) {
            assertArrayEquals(TestData.piece(id, 0, LEN, PLEN), TestData.bytes(s.readPiece(id, 0)));
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 1));
            assertThrows(PieceNotFoundException.class, () -> s.region(id, 2));
            assertFalse(s.hasPiece(id, 1));
            assertFalse(s.hasPiece(id, 2));
        }
    }

    @Test
    void missingContentFileAtStartDropsTheTask() throws IOException {
        String id = TestData.taskId("gone");
        String kept = TestData.taskId("kept");
        try (PieceStore s = open(dir, config().build())) {
            fillTask(s, id);
            fillTask(s, kept);
        }
        Files.delete(file(dir, id));
        try (PieceStore s = open(dir, config().build())) {
            assertTrue(s.taskInfo(id).isEmpty());
            assertEquals(List.of(id + ":CONTENT_MISSING"), events);
            assertArrayEquals(TestData.piece(kept, 2, LEN, PLEN), TestData.bytes(s.readPiece(kept, 2)));
            assertEquals(LEN, s.storedBytes());
        }
    }

    @Test
    void missingContentFileWhileRunningDropsTheTaskWithoutCrashing() throws IOException {
        String id = TestData.taskId("gone-live");
        try (PieceStore s = open(dir, config().build())) {
            fillTask(s, id);
        }
        try (PieceStore s = open(dir, config().build())) {
            Files.delete(file(dir, id)); // before this process opened it
            PieceNotFoundException e = assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 0));
            assertTrue(e.getMessage().contains("content file missing"), e.getMessage());
            assertTrue(s.taskInfo(id).isEmpty());
            assertEquals(List.of(id + ":CONTENT_MISSING"), events);
            assertThrows(TaskNotFoundException.class, () -> s.readPiece(id, 0));
        }
    }

    @Test
    void writeAfterTheContentFileVanishedDropsTheTaskInsteadOfRecreatingTheFile() throws IOException {
        String id = TestData.taskId("gone-write");
        // pieces are trusted after a clean start: a recreated empty file would be served as zeros
        PieceStoreConfig lazy = config().readVerification(ReadVerification.AFTER_UNCLEAN_STOP).build();
        try (PieceStore s = open(dir, lazy)) {
            s.createTask(id, LEN, PLEN);
            s.writePiece(id, 0, TestData.buffer(id, 0, LEN, PLEN), null);
            s.writePiece(id, 1, TestData.buffer(id, 1, LEN, PLEN), null);
        }
        Path f = file(dir, id);
        try (PieceStore s = open(dir, lazy)) {
            assertTrue(s.cleanStart());
            Files.delete(f); // before this process opened it; the first touch is a write
            ContentMissingException e = assertThrows(ContentMissingException.class,
                    () -> s.writePiece(id, 2, TestData.buffer(id, 2, LEN, PLEN), null));
            assertEquals(id, e.taskId());
            assertEquals(2, e.pieceNumber());
            assertEquals(f, e.path());
            assertTrue(e.getMessage().contains(id) && e.getMessage().contains(f.toString()), e.getMessage());
            assertFalse(Files.exists(f), "the write must not recreate the file under the stored pieces");
            assertTrue(s.taskInfo(id).isEmpty());
            assertEquals(List.of(id + ":CONTENT_MISSING"), events);
            assertThrows(TaskNotFoundException.class, () -> s.readPiece(id, 0));
            assertEquals(0, s.storedBytes());
        }
        try (PieceStore s = open(dir, lazy)) {
            assertTrue(s.taskInfo(id).isEmpty(), "the records went with the task");
        }
    }

    @Test
    void orphanContentFilesAreSweptAtStart() throws IOException {
        Path orphan = file(dir, "abcdef");
        Files.createDirectories(orphan.getParent());
        Files.write(orphan, new byte[10]);
        try (PieceStore s = open(dir, config().build())) {
            assertTrue(s.tasks().isEmpty());
            assertFalse(Files.exists(orphan));
        }
    }

    @Test
    void diskFullMidWriteFailsTypedAndLeavesTheStoreConsistent() throws IOException {
        String id = TestData.taskId("full");
        String other = TestData.taskId("other");
        try (PieceStore s = open(dir, config().build())) {
            fillTask(s, other);
            s.createTask(id, LEN, PLEN);
            // the content file is /dev/full: every write fails with ENOSPC, as a full file system does
            Path f = file(dir, id);
            Files.createDirectories(f.getParent());
            Files.createSymbolicLink(f, Path.of("/dev/full"));
            StorageFullException e = assertThrows(StorageFullException.class,
                    () -> s.writePiece(id, 0, TestData.buffer(id, 0, LEN, PLEN), null));
            assertEquals(id, e.taskId());
            assertEquals(0, e.pieceNumber());
            assertEquals(f, e.path());
            assertThrows(StorageFullException.class,
                    () -> s.writePiece(id, 1, new java.io.ByteArrayInputStream(TestData.piece(id, 1, LEN, PLEN)), null));
            assertFalse(s.hasPiece(id, 0));
            assertEquals(0, s.taskInfo(id).orElseThrow().storedPieces());
            assertEquals(LEN, s.storedBytes());
            assertArrayEquals(TestData.piece(other, 1, LEN, PLEN), TestData.bytes(s.readPiece(other, 1)));
        }
        try (PieceStore s = open(dir, config().build())) {
            assertFalse(s.hasPiece(id, 0));
            assertEquals(LEN, s.storedBytes());
        }
    }

    @Test
    void budgetFullOfPinnedTasksFailsTyped() {
        String a = TestData.taskId("pinned");
        String b = TestData.taskId("late");
        try (PieceStore s = open(dir, config().diskBudgetBytes(LEN + PLEN / 2).build())) {
            fillTask(s, a);
            try (TaskLease lease = s.pin(a)) {
                assertTrue(s.taskInfo(lease.taskId()).orElseThrow().pinned());
                s.createTask(b, LEN, PLEN);
                StorageFullException e = assertThrows(StorageFullException.class,
                        () -> s.writePiece(b, 0, TestData.buffer(b, 0, LEN, PLEN), null));
                assertTrue(e.getMessage().contains("budget"), e.getMessage());
                assertTrue(s.taskInfo(a).isPresent());
            }
            // unpinned, the LRU task makes room
            s.writePiece(b, 0, TestData.buffer(b, 0, LEN, PLEN), null);
            assertTrue(s.taskInfo(a).isEmpty());
        }
    }

    /** Copying the directory of an open store gives a store that was not closed: an unclean stop. */
    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void afterAnUncleanStopPiecesAreVerifiedOnFirstRead() throws IOException {
        String id = TestData.taskId("unclean");
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        PieceStoreConfig lazy = config().readVerification(ReadVerification.AFTER_UNCLEAN_STOP).build();
        try (PieceStore s = open(live, lazy)) {
            fillTask(s, id);
            copyTree(live, crashed);
        }
        flipByte(file(crashed, id), 3);
        try (PieceStore s = open(crashed, lazy)) {
            assertFalse(s.cleanStart());
            assertTrue(s.hasPiece(id, 0), "the start read records only, no content");
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 0));
            assertArrayEquals(TestData.piece(id, 1, LEN, PLEN), TestData.bytes(s.readPiece(id, 1)));
            assertFalse(s.hasPiece(id, 0));
        }
        // after a clean stop this mode trusts the stored pieces (documented trade-off): the store opens clean
        try (PieceStore s = open(crashed, lazy)) {
            assertTrue(s.cleanStart());
            assertTrue(s.hasPiece(id, 1));
        }
    }

    @Test
    void unreadableDatabaseIsAClearErrorNamingTheDirectory() throws IOException {
        try (PieceStore s = open(dir, config().build())) {
            fillTask(s, TestData.taskId("x"));
        }
        Path meta = dir.resolve("metadata");
        try (Stream<Path> files = Files.list(meta)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String n = p.getFileName().toString();
                if (n.startsWith("MANIFEST") || n.equals("CURRENT")) {
                    Files.write(p, "garbage\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
            }
        }
        StoreOpenException e = assertThrows(StoreOpenException.class, () -> open(dir, config().build()));
        assertEquals(meta, e.directory());
        assertTrue(e.getMessage().contains(meta.toString()), e.getMessage());
    }

    @Test
    void incompatibleDatabaseIsAClearError() throws Exception {
        Path meta = dir.resolve("metadata");
        Files.createDirectories(meta);
        try (org.rocksdb.Options o = new org.rocksdb.Options().setCreateIfMissing(true);
                org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(o, meta.toString())) {
            db.put("k".getBytes(), "v".getBytes());
        }
        StoreOpenException e = assertThrows(StoreOpenException.class, () -> open(dir, config().build()));
        assertTrue(e.getMessage().contains("incompatible") && e.getMessage().contains(meta.toString()),
                e.getMessage());
    }

    @Test
    void aNonDatabaseDirectoryAndASecondOpenAreClearErrors() throws IOException {
        Files.createDirectories(dir.resolve("metadata"));
        Files.write(dir.resolve("metadata/notes.txt"), new byte[] {1});
        StoreOpenException e = assertThrows(StoreOpenException.class, () -> open(dir, config().build()));
        assertTrue(e.getMessage().contains("metadata"), e.getMessage());
        Path other = dir.resolve("other");
        try (PieceStore s = open(other, config().build())) {
            assertTrue(s.cleanStart());
            StoreOpenException locked = assertThrows(StoreOpenException.class, () -> open(other, config().build()));
            assertTrue(locked.getMessage().contains("lock"), locked.getMessage());
        }
    }
}
