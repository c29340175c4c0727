package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writer process ({@link CrashWriter}, a separate JVM on the test class path) with SIGKILL at random
 * moments, 20 times over one store directory, and checks the reopened store each time: every acknowledged
 * piece is there, every piece there reads back exactly (so no incomplete or torn piece survived), scratch
 * tasks deleted mid-flight left nothing readable that is wrong. Every fourth round also corrupts an
 * acknowledged piece on disk before reopening: it must be reported missing, never served. Odd rounds run the
 * writer with {@code syncMetadata(false)} (a killed process loses nothing either way: the page cache survives).
 * At the end, the writers' temporary directory holds no copy of RocksDB's native library ({@link RocksDbLibrary}).
 */
class CrashRecoveryTest {
    static final int KILLS = 20;

    @TempDir
    Path dir;
    private Process child;

    @AfterEach
    void killChild() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killedWriterLeavesAConsistentStore() throws Exception {
        Path store = dir.resolve("store");
        Random random = new Random(42);
        Map<String, Set<Integer>> acked = new HashMap<>();
        int totalAcked = 0;
        for (int round = 0; round < KILLS; round++) {
            List<String> lines = runAndKill(store, random, round);
            for (String l : lines) {
                if (l.startsWith("OK ")) {
                    String[] p = l.split(" ");
                    acked.computeIfAbsent(p[1], k -> new HashSet<>()).add(Integer.parseInt(p[2]));
                    totalAcked++;
                }
            }
            String corruptedTask = null;
            int corruptedPiece = -1;
            if (round % 4 == 3 && !acked.isEmpty()) {
                corruptedTask = acked.keySet().iterator().next();
                corruptedPiece = acked.get(corruptedTask).iterator().next();
                Path f = store.resolve("content/tasks").resolve(corruptedTask.substring(0, 3)).resolve(corruptedTask);
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    long pos = PieceGeometry.offset(corruptedPiece, CrashWriter.PLEN) + 1000;
                    ByteBuffer b = ByteBuffer.allocate(1);
                    ch.read(b, pos);
                    b.put(0, (byte) ~b.get(0)).rewind();
                    ch.write(b, pos);
                }
            }
            boolean childOpenedStore = lines.contains("STARTED");
            verify(store, acked, corruptedTask, corruptedPiece, round, childOpenedStore);
            if (corruptedTask != null) {
                acked.get(corruptedTask).remove(corruptedPiece);
            }
        }
        System.out.println("crash test: " + KILLS + " kills, " + totalAcked + " acknowledged writes checked");
        // RocksDbLibrary: no killed writer left its copy of RocksDB's library behind (a process killed while
        // extracting leaves its directory until the next one starts, so the last one's may remain)
        try (java.util.stream.Stream<Path> left = Files.list(childTmp())) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.startsWith("librocksdbjni")), "RocksDB libraries left: " + names);
            assertTrue(names.stream().filter(n -> n.startsWith(RocksDbLibrary.DIR_PREFIX)).count() <= 1,
                    "extraction directories left: " + names);
        }
        assertTrue(totalAcked > 50, "the writer made progress: " + totalAcked + " acknowledged writes");
    }

    /** The writers' {@code java.io.tmpdir}. */
    private Path childTmp() {
        return dir.resolve("child-tmp");
    }

    private List<String> runAndKill(Path store, Random random, int round) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.io.tmpdir=" + Files.createDirectories(childTmp()), "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), store.toString(),
                Long.toString(random.nextLong()), Boolean.toString(round % 2 == 0));
        pb.redirectError(dir.resolve("child-" + round + ".err").toFile());
        child = pb.start();
        List<String> lines = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null;) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                    if (l.equals("STARTED")) {
                        started.countDown();
                    }
                }
            } catch (IOException e) {
                // the pipe breaks when the child dies
            }
        }, "crash-child-stdout");
        reader.start();
        if (round % 5 == 4) {
            Thread.sleep(random.nextInt(600)); // sometimes while it is still opening the store
        } else {
            assertTrue(started.await(30, TimeUnit.SECONDS), "child did not start; see " + dir);
            Thread.sleep(50 + random.nextInt(300));
        }
        child.destroyForcibly(); // SIGKILL on Unix
        assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        reader.join(10_000);
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    private void verify(Path store, Map<String, Set<Integer>> acked, String corruptedTask, int corruptedPiece,
            int round, boolean childOpenedStore) {
        try (PieceStore s = PieceStore.open(store, PieceStoreConfig.builder().gcInterval(Duration.ZERO).build())) {
            if (childOpenedStore) {
                assertFalse(s.cleanStart(), "a killed writer leaves no clean-shutdown marker");
            }
            if (corruptedTask != null) {
                String t = corruptedTask;
                int n = corruptedPiece;
                assertThrows(PieceNotFoundException.class, () -> s.readPiece(t, n), "round " + round);
                assertFalse(s.hasPiece(t, n));
            }
            for (var e : acked.entrySet()) {
                for (int n : e.getValue()) {
                    if (e.getKey().equals(corruptedTask) && n == corruptedPiece) {
                        continue;
                    }
                    assertTrue(s.hasPiece(e.getKey(), n), "round " + round + ": acknowledged piece " + e.getKey()
                            + "-" + n + " lost");
                }
            }
            for (TaskInfo t : s.tasks()) {
                for (int n = 0; n < t.pieceCount(); n++) {
                    if (s.hasPiece(t.taskId(), n)) {
                        byte[] want = TestData.piece(t.taskId(), n, CrashWriter.LEN, CrashWriter.PLEN);
                        assertArrayEquals(want, TestData.bytes(s.readPiece(t.taskId(), n)),
                                "round " + round + ": piece " + t.taskId() + "-" + n);
                    }
                }
            }
        }
    }
}
