package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk budget counts file-system blocks of content (sparse files, held-open deleted files), not piece bytes. */
class DiskUsageTest {
    static final int BLOCK = 4096;

    @TempDir
    Path dir;
    final List<String> events = new CopyOnWriteArrayList<>();
    final TestData.MutableClock clock = new TestData.MutableClock();

    PieceStoreConfig.Builder config() {
        return PieceStoreConfig.builder().gcInterval(Duration.ZERO).clock(clock).hotCacheBytes(0)
                .deletionListener((t, r) -> events.add(t + ":" + r));
    }

    Path file(String id) {
        return dir.resolve("content/tasks").resolve(id.substring(0, 3)).resolve(id);
    }

    /** Allocated bytes of a file as the kernel reports them ({@code stat %b} × 512). */
    static long allocated(Path f) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b %B", f.toString()).redirectErrorStream(true).start();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
        assertEquals(0, p.waitFor(), String.join(" ", out));
        return Long.parseLong(out[0]) * Long.parseLong(out[1]);
    }

    @Test
    void usedBytesMatchTheBlocksTheKernelAllocatedForASparseFile() throws Exception {
        assertEquals(BLOCK, DiskUsage.blockSizeOf(dir), "these figures assume 4 KiB blocks (ext4, xfs, tmpfs)");
        String id = TestData.taskId("sparse");
        long len = 20 * 10_000 + 123;
        try (PieceStore s = PieceStore.open(dir, config().build())) {
            s.createTask(id, len, 10_000);
            // holes between, unaligned piece boundaries, a block shared by 4 and 5, the short last piece; three
            // extents, so ext4 keeps them in the inode (from five on it adds a 4 KiB extent-tree block per ~340
            // extents, which the store does not count: see DiskUsage)
            for (int n : new int[] {0, 4, 5, 20}) {
                s.writePiece(id, n, TestData.buffer(id, n, len, 10_000), null);
            }
            long stored = 3 * 10_000 + 123;
            assertEquals(stored, s.storedBytes());
            assertEquals(allocated(file(id)), s.usedBytes(), "stored " + stored);
            assertTrue(s.usedBytes() > stored);
            // dropping a piece frees only the blocks no neighbour shares
            FaultsTest.flipByte(file(id), 4 * 10_000L + 5_000);
            assertThrows(PieceNotFoundException.class, () -> s.readPiece(id, 4));
            long afterDrop = s.usedBytes();
            // piece 4 = [40000, 50000): blocks 9..12; block 12 is shared with piece 5, block 9 with nobody
            assertEquals(allocated(file(id)) - 3 * BLOCK, afterDrop, "the file keeps the dropped bytes until rewritten");
        }
        try (PieceStore s = PieceStore.open(dir, config().build())) {
            assertEquals(allocated(file(id)) - 3 * BLOCK, s.usedBytes(), "the same figure after a restart");
        }
    }

    @Test
    void watermarksCompareBlocksNotPieceBytes() {
        // tasks of 5 pieces of 1000 bytes: 5000 bytes stored, but 2 blocks (8192 bytes) on disk
        PieceStoreConfig c = config().diskBudgetBytes(3 * 2 * BLOCK).watermarks(0.9, 0.5).build();
        try (PieceStore s = PieceStore.open(dir, c)) {
            String[] ids = new String[3];
            for (int i = 0; i < 3; i++) {
                ids[i] = TestData.taskId("small" + i);
                s.createTask(ids[i], 5000, 1000);
                for (int n = 0; n < 5; n++) {
                    s.writePiece(ids[i], n, TestData.buffer(ids[i], n, 5000, 1000), null);
                }
                clock.advance(Duration.ofSeconds(1));
            }
            // 15000 stored bytes are 61% of the budget, under the high mark; 24576 used bytes are 100%, above it
            // committing the last piece crossed the high mark, which may already have started this collection in the
            // background; collections run one at a time, so after gc() exactly one of the two evicted
            GcReport r = s.gc();
            assertTrue(r.tasksEvicted() == 0 || r.tasksEvicted() == 2, "evicted " + r.tasksEvicted());
            assertTrue(r.bytesEvicted() == 0 || r.bytesEvicted() == 10_000, "evicted " + r.bytesEvicted() + " bytes");
            // down to the low mark: 12288 bytes = one task
            assertEquals(List.of(ids[0] + ":QUOTA", ids[1] + ":QUOTA"), events.stream().sorted(
                    (a, b) -> Integer.compare(indexOf(ids, a), indexOf(ids, b))).toList());
            assertEquals(2 * BLOCK, s.usedBytes());
            assertEquals(5000, s.storedBytes());
        }
    }

    private static int indexOf(String[] ids, String event) {
        for (int i = 0; i < ids.length; i++) {
            if (event.startsWith(ids[i])) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aDeletedTaskHeldByALeaseStillCountsAgainstTheBudget() {
        long len = 4L * BLOCK;
        PieceStoreConfig c = config().diskBudgetBytes(2 * len).watermarks(1.0, 0.5).build();
        try (PieceStore s = PieceStore.open(dir, c)) {
            String a = TestData.taskId("held");
            String b = TestData.taskId("live");
            String d = TestData.taskId("late");
            for (String id : new String[] {a, b}) {
                s.createTask(id, len, BLOCK);
                for (int n = 0; n < 4; n++) {
                    s.writePiece(id, n, TestData.buffer(id, n, len, BLOCK), null);
                }
            }
            TaskLease lease = s.pin(a);
            TaskLease lb = s.pin(b);
            assertTrue(s.deleteTask(a));
            assertEquals(len, s.storedBytes());
            assertEquals(2 * len, s.usedBytes(), "the unlinked file still holds its blocks");
            s.createTask(d, len, BLOCK);
            StorageFullException e = assertThrows(StorageFullException.class,
                    () -> s.writePiece(d, 0, TestData.buffer(d, 0, len, BLOCK), null));
            assertTrue(e.getMessage().contains(len + " of them held by leases on deleted tasks"), e.getMessage());
            lease.close();
            assertEquals(len, s.usedBytes());
            s.writePiece(d, 0, TestData.buffer(d, 0, len, BLOCK), null);
            assertEquals(len + BLOCK, s.usedBytes());
            lb.close();
        }
    }

    @Test
    void metadataStaysASmallMarginBesideTheContent() {
        try (PieceStore s = PieceStore.open(dir, config().syncWrites(false).build())) {
            int pieces = 0;
            for (int t = 0; t < 20; t++) {
                String id = TestData.taskId("meta" + t);
                s.createTask(id, 100L * 1024, 1024);
                for (int n = 0; n < 100; n++) {
                    s.writePiece(id, n, TestData.buffer(id, n, 100L * 1024, 1024), null);
                    pieces++;
                }
            }
            long meta = s.metadataBytes();
            // RocksDB's fixed files (OPTIONS, MANIFEST, info LOG) plus a WAL entry per commit; never counted in used
            assertTrue(meta > 0);
            assertTrue(meta < (1 << 20) + 1024L * pieces, "metadata " + meta + " bytes for " + pieces + " pieces");
            assertEquals(pieces * 1024L, s.usedBytes());
            System.out.printf("metadata: %d bytes for %d pieces (%.0f bytes per piece incl. fixed files)%n", meta,
                    pieces, (double) meta / pieces);
        }
    }
}
