package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large pieces just written, served from memory through the store: regions and reads of them skip the content file,
 * a read of the file itself still catches corruption there (and the piece leaves memory with it), and a region held
 * across a delete still sends its bytes.
 */
class PieceStoreRecentPiecesTest {
    /** Piece length: 512 KiB, above the hot cache's default cutoff of 256 KiB. */
    static final int BIG = 512 << 10;
    static final long LEN = 3L * BIG;

    @TempDir
    Path dir;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    PieceStore open(long recentBytes) {
        return PieceStore.open(dir.resolve("store"), PieceStoreConfig.builder().gcInterval(Duration.ZERO)
                .recentPiecesBytes(recentBytes).build(), registry);
    }

    double recent(String result) {
        return registry.get("damselfly.piecestore.recent.pieces").tag("result", result).counter().count();
    }

    Path file(String id) {
        return dir.resolve("store/content/tasks").resolve(id.substring(0, 3)).resolve(id);
    }

    static void fill(PieceStore s, String id) {
        s.createTask(id, LEN, BIG);
        for (int n = 0; n < 3; n++) {
            s.writePiece(id, n, TestData.buffer(id, n, LEN, BIG), null);
        }
    }

    byte[] sent(PieceRegion r) throws IOException {
        Path out = Files.createTempFile(dir, "sent", ".bin");
        try (FileChannel f = FileChannel.open(out, StandardOpenOption.WRITE)) {
            assertEquals(r.length(), r.transferTo(f));
        }
        return Files.readAllBytes(out);
    }

    @Test
    void aPieceJustWrittenIsSentAndReadFromMemory() throws IOException {
        String id = TestData.taskId("recent-store");
        try (PieceStore s = open(64L << 20)) {
            fill(s, id);
            for (int n = 0; n < 3; n++) {
                byte[] want = TestData.piece(id, n, LEN, BIG);
                try (PieceRegion r = s.region(id, n)) {
                    assertTrue(r.inMemory(), "piece " + n);
                    assertArrayEquals(want, sent(r));
                    ByteBuffer part = ByteBuffer.allocate(1000);
                    assertEquals(1000, r.read(part, 5000));
                    assertArrayEquals(java.util.Arrays.copyOfRange(want, 5000, 6000), part.array());
                }
                ByteBuffer dst = ByteBuffer.allocate(BIG);
                assertEquals(want.length, s.readPiece(id, n, dst));
                assertArrayEquals(want, dst.array());
                assertArrayEquals(want, TestData.bytes(s.readPiece(id, n)));
            }
            assertEquals(9.0, recent("hit"));
            try (PieceRegion r = s.regionInMemory(id, 0).orElseThrow()) {
                assertArrayEquals(TestData.piece(id, 0, LEN, BIG), TestData.bytes(r.bytes()));
            }
            s.checkPieceInFile(id, 0); // the file's copy is right too
        }
    }

    @Test
    void aReadOfTheFileStillCatchesCorruptionAndTheCopyInMemoryGoesWithThePiece() throws IOException {
        String id = TestData.taskId("recent-corrupt");
        try (PieceStore s = open(64L << 20)) {
            fill(s, id);
            FaultsTest.flipByte(file(id), BIG + 1234);
            try (PieceRegion r = s.region(id, 1)) {
                assertTrue(r.inMemory());
                assertArrayEquals(TestData.piece(id, 1, LEN, BIG), sent(r), "memory holds the checked bytes");
            }
            ByteBuffer kept = ByteBuffer.allocate(BIG);
            assertEquals(BIG, s.readPieceKeptOrFromFile(id, 1, kept), "a stream's read takes the copy in memory");
            assertArrayEquals(TestData.piece(id, 1, LEN, BIG), kept.array());
            assertThrows(PieceNotFoundException.class, () -> s.readPieceFromFile(id, 1, ByteBuffer.allocate(BIG)));
            assertFalse(s.hasPiece(id, 1), "the corrupt piece was dropped");
            assertThrows(PieceNotFoundException.class, () -> s.region(id, 1));
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 1));
            // a new copy of the piece replaces the old one everywhere
            s.writePiece(id, 1, new ByteArrayInputStream(TestData.piece(id, 1, LEN, BIG)), null);
            try (PieceRegion r = s.region(id, 1)) {
                assertArrayEquals(TestData.piece(id, 1, LEN, BIG), sent(r));
            }
            assertEquals(1.0, registry.get("damselfly.piecestore.digest.failures").tag("stage", "read").counter()
                    .count());
        }
    }

    @Test
    void withoutABudgetRegionsComeFromTheContentFile() throws IOException {
        String id = TestData.taskId("recent-off");
        try (PieceStore s = open(0)) {
            fill(s, id);
            try (PieceRegion r = s.region(id, 2)) {
                assertFalse(r.inMemory());
                assertArrayEquals(TestData.piece(id, 2, LEN, BIG), sent(r));
                assertThrows(IllegalStateException.class, r::bytes);
            }
            assertTrue(s.regionInMemory(id, 2).isEmpty());
            FaultsTest.flipByte(file(id), 2L * BIG + 9);
            assertThrows(PieceNotFoundException.class,
                    () -> s.readPieceKeptOrFromFile(id, 2, ByteBuffer.allocate(BIG)), "nothing kept: the file is read");
            assertFalse(s.keepsInMemory(id, 2));
            assertEquals(0.0, recent("hit"));
        }
    }

    @Test
    void aRegionHeldAcrossADeleteStillSendsItsBytes() throws IOException {
        String id = TestData.taskId("recent-delete");
        try (PieceStore s = open(64L << 20)) {
            fill(s, id);
            try (PieceRegion r = s.region(id, 0)) {
                assertTrue(r.inMemory());
                assertTrue(s.deleteTask(id));
                // new pieces of another task churn the memory the deleted one's pieces left
                String other = TestData.taskId("recent-delete-other");
                s.createTask(other, LEN, BIG);
                for (int n = 0; n < 3; n++) {
                    s.writePiece(other, n, TestData.buffer(other, n, LEN, BIG), null);
                }
                assertArrayEquals(TestData.piece(id, 0, LEN, BIG), sent(r));
            }
            assertThrows(TaskNotFoundException.class, () -> s.region(id, 0));
        }
    }

    double notKept() {
        return registry.get("damselfly.piecestore.recent.not.kept").counter().count();
    }

    @Test
    void aFollowerKeepsItsNextPiecesInMemoryAndItsPlaceIsReported() throws IOException {
        String id = TestData.taskId("recent-follow");
        try (PieceStore s = open(2L * BIG)) {
            assertTrue(s.followerPlaces(id, Duration.ofMinutes(1)).isEmpty(), "nobody follows");
            PieceFollower stream = s.follow(id, 0, 2);
            PieceFollower late = s.follow(id, 1, 2);
            assertEquals(2.0, registry.get("damselfly.piecestore.recent.followers").gauge().value());
            FollowerPlaces before = s.followerPlaces(id, Duration.ofMinutes(1));
            assertEquals(2, before.size(), "before the task exists too");
            assertFalse(before.allows(1, 1), "piece 1 is one past the first follower's place");
            assertTrue(before.allows(0, 1));
            fill(s, id); // three pieces, room for two: the third is not kept, the first two stay
            assertEquals(1.0, notKept());
            try (PieceRegion r = s.region(id, 0)) {
                assertTrue(r.inMemory(), "the follower's next piece stayed");
            }
            try (PieceRegion r = s.region(id, 2)) {
                assertFalse(r.inMemory(), "no room was made for the piece beyond");
            }
            // both next pieces are stored: followers that have not moved since are stalled after the given time
            assertEquals(2, s.followerPlaces(id, Duration.ofMinutes(1)).size());
            assertTrue(s.followerPlaces(id, Duration.ZERO).isEmpty(), "stalled followers are left out");
            stream.moveTo(2);
            FollowerPlaces moved = s.followerPlaces(id, Duration.ofMinutes(1));
            assertFalse(moved.allows(2, 1), "one past the other follower, at 1");
            assertTrue(moved.allows(2, 2));
            late.close();
            assertEquals(1, s.followerPlaces(id, Duration.ofMinutes(1)).size());
            stream.moveTo(3); // past its last piece: no longer waiting for anything
            assertTrue(s.followerPlaces(id, Duration.ofMinutes(1)).isEmpty());
            stream.close();
            assertEquals(0.0, registry.get("damselfly.piecestore.recent.followers").gauge().value());
        }
        try (PieceStore none = PieceStore.open(dir.resolve("none"), PieceStoreConfig.builder()
                .gcInterval(Duration.ZERO).recentPiecesBytes(0).build(), new SimpleMeterRegistry())) {
            try (PieceFollower reader = none.follow(id, 0, 2)) {
                assertEquals(1, none.followerPlaces(id, Duration.ofMinutes(1)).size(),
                        "nothing is kept in memory, but a download still keeps pace with the reader");
            }
            assertTrue(none.followerPlaces(id, Duration.ofMinutes(1)).isEmpty());
            assertEquals(PieceFollower.NONE, none.follow(id, 2, 1), "an empty range follows nothing");
        }
    }
}
