package dev.damselfly.rafs.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Blake3} against published digests and against commons-codec's independent implementation. */
class Blake3Test {
    private static final HexFormat HEX = HexFormat.of();

    /** The input pattern of the BLAKE3 test vectors: byte i is i mod 251. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    private static byte[] reference(byte[] d, int off, int len) {
        org.apache.commons.codec.digest.Blake3 h = org.apache.commons.codec.digest.Blake3.initHash();
        h.update(d, off, len);
        return h.doFinalize(32);
    }

    @Test
    void publishedDigests() {
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
                HEX.formatHex(Blake3.hash(new byte[0], 0, 0)));
        assertEquals("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
                HEX.formatHex(Blake3.hash("abc".getBytes(), 0, 3)));
    }

    @Test
    void everyTreeShapeMatchesTheReferenceImplementation() {
        // chunk and block boundaries, one-off sizes, uneven right subtrees, the sizes of Nydus chunks
        int[] sizes = {1, 63, 64, 65, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 3073, 4096, 4097, 5121, 7169, 8193,
            16384, 31744, 102400, 65536 * 3 + 5, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (4 << 20) + 3000};
        for (int n : sizes) {
            byte[] d = pattern(n + 7);
            assertArrayEquals(reference(d, 3, n), Blake3.hash(d, 3, n), "length " + n);
        }
        Random rnd = new Random(5);
        for (int i = 0; i < 200; i++) {
            int n = rnd.nextInt(40_000);
            byte[] d = new byte[n];
            rnd.nextBytes(d);
            assertArrayEquals(reference(d, 0, n), Blake3.hash(d, 0, n), "random input of " + n + " bytes");
        }
    }

    /**
     * Still right once the JIT's optimizing compiler has compiled it (an earlier version that wrote parent blocks
     * through a byte-array VarHandle into a fresh array was miscompiled by C2 on JDK 17 after ~1000 calls).
     */
    @Test
    void staysRightAfterJitCompilation() {
        Random rnd = new Random(11);
        byte[] fixed = new byte[5218];
        rnd.nextBytes(fixed);
        byte[] before = Blake3.hash(fixed, 0, fixed.length);
        int wrong = 0;
        for (int i = 0; i < 30_000; i++) {
            int n = rnd.nextInt(9000);
            byte[] d = new byte[n];
            rnd.nextBytes(d);
            if (i % 10 == 0 && !Arrays.equals(reference(d, 0, n), Blake3.hash(d, 0, n))) {
                wrong++;
            } else {
                Blake3.hash(d, 0, n);
            }
        }
        assertEquals(0, wrong, "digests that differ from the reference after warm-up");
        assertArrayEquals(before, Blake3.hash(fixed, 0, fixed.length), "the same input, the same digest");
        assertArrayEquals(reference(fixed, 0, fixed.length), before);
    }

    /**
     * The vector implementation the build's test JVMs have (surefire adds jdk.incubator.vector, as the launcher does),
     * with the compiler directive the warm-up adds in production before any vector code runs.
     */
    private static Blake3Lanes vector() {
        Blake3Lanes vector = Blake3.vectorImplementation();
        assertNotNull(vector, "no vector BLAKE3: tests must run with --add-modules jdk.incubator.vector");
        assertTrue(Blake3JitDirective.keepCompressionOutOfC1(), "HotSpot took the compiler directive");
        return vector;
    }

    @Test
    void vectorLanesGiveTheReferenceDigestForEveryTreeShape() {
        Blake3Lanes vector = vector();
        int l = vector.lanes();
        // batches of chunks and of parents, with and without scalar leftovers and odd carries, every level
        int[] sizes = {1025, 1024 * l - 1, 1024 * l, 1024 * l + 1, 1024 * (l + 1), 2048 * l, 2048 * l + 1, 1024 * (3 * l + 5) + 17,
            31744, 102400, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (4 << 20) + 3000};
        for (int n : sizes) {
            byte[] d = pattern(n + 7);
            assertArrayEquals(reference(d, 3, n), Blake3.hash(d, 3, n, null, vector), "length " + n);
        }
        Random rnd = new Random(17);
        for (int i = 0; i < 200; i++) {
            int n = rnd.nextInt(300_000);
            byte[] d = new byte[n];
            rnd.nextBytes(d);
            assertArrayEquals(reference(d, 0, n), Blake3.hash(d, 0, n, null, vector), "random input of " + n + " bytes");
        }
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            byte[] d = pattern((3 << 20) + 11);
            assertArrayEquals(reference(d, 0, d.length), Blake3.hash(d, 0, d.length, pool, vector), "split across threads");
        } finally {
            pool.shutdownNow();
        }
    }

    /** Chunk counters above 2^32 reach the high counter word of every lane (only a subtree deep in a 4 TiB input has them). */
    @Test
    void vectorChunkCountersCarryIntoTheHighWord() {
        Blake3Lanes vector = vector();
        int l = vector.lanes();
        byte[] d = pattern(1024 * l);
        long counter = (1L << 32) - 3;
        int[] lanes = new int[8 * l];
        vector.chunks(d, 0, counter, lanes, 0);
        for (int j = 0; j < l; j++) {
            assertArrayEquals(scalarChunk(d, 1024 * j, counter + j), Arrays.copyOfRange(lanes, 8 * j, 8 * j + 8), "lane " + j);
        }
    }

    private static int[] scalarChunk(byte[] d, int off, long counter) {
        int[] cv = new int[8];
        Blake3.chunkChainingValue(d, off, counter, cv);
        return cv;
    }

    @Test
    void vectorBatchesRejectRangesOutsideTheirArrays() {
        Blake3Lanes vector = vector();
        int l = vector.lanes();
        assertThrows(IndexOutOfBoundsException.class, () -> vector.chunks(new byte[1024 * l], 1, 0, new int[8 * l], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> vector.parents(new int[16 * l - 1], 0));
    }

    /** Narrower vectors (AVX2: 8 lanes, SSE: 4) in child JVMs whose -XX:MaxVectorSize caps the preferred shape. */
    @Test
    void narrowerVectorShapesGiveTheSameDigests() throws Exception {
        for (int bytes : new int[] {16, 32}) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", Blake3Lanes.VECTOR_MODULE, "-XX:MaxVectorSize=" + bytes,
                    "-cp", System.getProperty("java.class.path"), Blake3VectorChild.class.getName());
            pb.redirectErrorStream(false);
            Process child = pb.start();
            child.getOutputStream().close();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            String err = new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, child.waitFor(), "child JVM with MaxVectorSize=" + bytes + ": " + err);
            // only the child's own lines (logging may share its stdout)
            List<String> lines = out.lines().filter(line -> line.startsWith("lanes ") || line.startsWith("digest ")).toList();
            assertEquals("lanes " + bytes / 4, lines.get(0), "lanes in a child with MaxVectorSize=" + bytes);
            for (String line : lines.subList(1, lines.size())) {
                String[] parts = line.split(" ");
                int n = Integer.parseInt(parts[1]);
                assertEquals(HEX.formatHex(reference(pattern(n), 0, n)), parts[2], bytes + "-byte vectors, length " + n);
            }
            assertEquals(1 + Blake3VectorChild.SIZES.length, lines.size(), "lines from the child: " + out);
        }
    }

    /** In a fresh JVM the warm-up hands the vector implementation over. */
    @Test
    void warmUpTurnsVectorHashingOnInAFreshJvm() throws Exception {
        int l = vector().lanes();
        String out = child("warm-up");
        assertTrue(out.lines().anyMatch(line -> line.equals("started true")), out);
        assertTrue(out.lines().anyMatch(line -> line.startsWith("lanes " + l + " after ")), out);
    }

    /** Hashing starts the warm-up by itself once the JVM has hashed the configured bytes, and not before. */
    @Test
    void hashingStartsTheWarmUpAfterTheConfiguredBytes() throws Exception {
        int l = vector().lanes();
        String after = child("-D" + Blake3.WARM_UP_AFTER_PROPERTY + "=" + (16 << 20), "hash", "100000");
        Matcher m = Pattern.compile("(?m)^lanes (\\d+) after (\\d+) MiB, warm-up thread (\\w+)$").matcher(after);
        assertTrue(m.find(), after);
        assertEquals(l, Integer.parseInt(m.group(1)), "lanes once the warm-up is over: " + after);
        assertTrue(Integer.parseInt(m.group(2)) >= 16, "not before 16 MiB: " + after);
        // the default (1 GiB): 64 MiB of hashing starts nothing
        String before = child("hash", "64");
        assertTrue(before.lines().anyMatch(line -> line.equals("lanes 1 after 64 MiB, warm-up thread false")), before);
    }

    /** Runs {@link Blake3VectorChild} in a JVM with the vector module and the given JVM options, then arguments. */
    private static String child(String... optionsThenArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", Blake3Lanes.VECTOR_MODULE, "-cp", System.getProperty("java.class.path")));
        int i = 0;
        for (; i < optionsThenArgs.length && optionsThenArgs[i].startsWith("-"); i++) {
            command.add(optionsThenArgs[i]);
        }
        command.add(Blake3VectorChild.class.getName());
        command.addAll(Arrays.asList(optionsThenArgs).subList(i, optionsThenArgs.length));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        child.getOutputStream().close();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, child.waitFor(), out);
        return out;
    }

    /** The warm-up hands the vector implementation over in this JVM too, and digests stay the reference ones. */
    @Test
    void warmUpTurnsVectorHashingOn() throws InterruptedException {
        int l = vector().lanes();
        assertTrue(Blake3.startVectorWarmUp());
        long deadline = System.nanoTime() + Blake3VectorWarmUp.GIVE_UP_NANOS;
        while (Blake3.lanes() == 1 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(l, Blake3.lanes(), "lanes in use after the warm-up");
        byte[] d = pattern(1 << 20);
        assertArrayEquals(reference(d, 0, d.length), Blake3.hash(d, 0, d.length));
    }

    /** b3sum (the BLAKE3 team's implementation, installed by scripts/setup) gives our digests, scalar and vector. */
    @Test
    void scalarAndVectorDigestsEqualB3sums(@TempDir Path dir) throws Exception {
        Blake3Lanes vector = vector();
        Random rnd = new Random(23);
        for (int n : new int[] {0, 1000, 1024 * vector.lanes() + 5, 1 << 20, (5 << 20) + 777}) {
            byte[] d = new byte[n];
            rnd.nextBytes(d);
            Path file = dir.resolve("input-" + n);
            Files.write(file, d);
            Process p = new ProcessBuilder("b3sum", "--no-names", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            assertEquals(0, p.waitFor(), "b3sum: " + out);
            assertEquals(out, HEX.formatHex(Blake3.hash(d, 0, n, null, null)), "scalar, " + n + " bytes");
            assertEquals(out, HEX.formatHex(Blake3.hash(d, 0, n, null, vector)), "vector, " + n + " bytes");
        }
    }

    @Test
    void parallelHashingGivesTheSameDigest() {
        ForkJoinPool pool = new ForkJoinPool(2);
        try {
            for (int n : new int[] {Blake3.PARALLEL_THRESHOLD, Blake3.PARALLEL_THRESHOLD + 1, 1 << 20, (3 << 20) + 11}) {
                byte[] d = pattern(n);
                assertArrayEquals(reference(d, 0, n), Blake3.hash(d, 0, n, pool), "length " + n);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFlippedBitChangesTheDigest() {
        byte[] d = pattern(1 << 20);
        byte[] before = Blake3.hash(d, 0, d.length);
        d[700_001] ^= 1;
        byte[] after = Blake3.hash(d, 0, d.length);
        assertEquals(false, Arrays.equals(before, after));
    }

    @Test
    void rejectsARangeOutsideTheArray() {
        assertThrows(IndexOutOfBoundsException.class, () -> Blake3.hash(new byte[10], 5, 6));
    }
}
