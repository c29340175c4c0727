package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write path's durability order: a piece's bytes are forced before its record is committed. */
class DurabilityOrderTest {
    static final long LEN = 3 * 8192;
    static final int PLEN = 8192;

    @TempDir
    Path dir;
    final List<String> steps = new CopyOnWriteArrayList<>();
    final WriteObserver recorder = new WriteObserver() {
        @Override
        public void contentForced(Path file) {
            steps.add("force " + file.getFileName().toString().substring(0, 8));
        }

        @Override
        public void pieceCommitted(String taskId, int number) {
            steps.add("commit " + taskId.substring(0, 8) + " " + number);
        }
    };

    PieceStore open(PieceStoreConfig.Builder config) {
        return PieceStore.open(dir, config.gcInterval(Duration.ZERO).build(), new SimpleMeterRegistry(), recorder);
    }

    /** Writes piece 0 from memory, piece 1 from a stream, and piece 0 again (already stored: no force, no commit). */
    static void writeThree(PieceStore s, String id) {
        s.createTask(id, LEN, PLEN);
        s.writePiece(id, 0, TestData.buffer(id, 0, LEN, PLEN), null);
        s.writePiece(id, 1, new ByteArrayInputStream(TestData.piece(id, 1, LEN, PLEN)), null);
        s.writePiece(id, 0, TestData.buffer(id, 0, LEN, PLEN), null);
    }

    @Test
    void piecesBytesAreForcedBeforeTheirRecordIsCommitted() {
        String id = TestData.taskId("ordered");
        String t = id.substring(0, 8);
        try (PieceStore s = open(PieceStoreConfig.builder())) {
            writeThree(s, id);
        }
        assertEquals(List.of("force " + t, "commit " + t + " 0", "force " + t, "commit " + t + " 1"), steps);
    }

    @Test
    void withoutSyncedMetadataContentIsStillForcedFirst() {
        String id = TestData.taskId("fsync-off");
        String t = id.substring(0, 8);
        try (PieceStore s = open(PieceStoreConfig.builder().syncMetadata(false))) {
            writeThree(s, id);
        }
        assertEquals(List.of("force " + t, "commit " + t + " 0", "force " + t, "commit " + t + " 1"), steps);
    }

    @Test
    void withSyncWritesOffNothingIsForced() {
        String id = TestData.taskId("nosync");
        String t = id.substring(0, 8);
        try (PieceStore s = open(PieceStoreConfig.builder().syncWrites(false))) {
            writeThree(s, id);
        }
        assertEquals(List.of("commit " + t + " 0", "commit " + t + " 1"), steps);
    }
}
