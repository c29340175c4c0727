package dev.damselfly.rafs.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/** {@link Blake3} against published digests and against commons-codec's independent implementation. */
class Blake3Test {
    private static final HexFormat HEX = HexFormat.of();

    /** The input pattern of the BLAKE3 test vectors: byte i is i mod 251. */
    private static byte[] pattern(int n) {
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
