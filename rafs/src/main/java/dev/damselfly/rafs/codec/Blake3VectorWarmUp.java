package dev.damselfly.rafs.codec;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, on a background thread, when vector BLAKE3 hashing is worth using. The JDK's vector API is only fast once
 * the JIT's optimizing compiler has compiled it; until then every vector operation is interpreted and the vector path
 * runs far slower than scalar code (about 1 s of CPU before it catches up, measured on JDK 17 and 25). So callers keep
 * hashing scalar while this thread hashes a sample both ways, and the vector implementation is handed over only after
 * it has given the scalar digest and been at least {@link #SPEED_UP_NEEDED} times faster {@link #WINS_NEEDED} times
 * in a row. A digest that differs from the scalar one ends the warm-up for good (scalar stays).
 */
final class Blake3VectorWarmUp implements Runnable {
    /** Sample hashed each round, in bytes: 64 KiB (64 chunks: whole vector batches of chunks and of parents). */
    static final int SAMPLE_BYTES = 64 << 10;
    /** How much faster than scalar a vector round must be to count: 1.5 times. */
    static final double SPEED_UP_NEEDED = 1.5;
    /** Consecutive faster rounds before the hand-over: 3. */
    static final int WINS_NEEDED = 3;
    /** Time after which the warm-up gives up and scalar stays: 60 s (normally done in 1–2 s). */
    static final long GIVE_UP_NANOS = 60_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(Blake3VectorWarmUp.class);

    private final Blake3Lanes vector;
    private final Consumer<Blake3Lanes> handOver;

    Blake3VectorWarmUp(Blake3Lanes vector, Consumer<Blake3Lanes> handOver) {
        this.vector = vector;
        this.handOver = handOver;
    }

    @Override
    public void run() {
        boolean directive = Blake3JitDirective.keepCompressionOutOfC1();
        byte[] sample = new byte[SAMPLE_BYTES];
        new SplittableRandom(SAMPLE_BYTES).nextBytes(sample);
        long start = System.nanoTime();
        int rounds = 0;
        int wins = 0;
        while (System.nanoTime() - start < GIVE_UP_NANOS) {
            rounds++;
            long t0 = System.nanoTime();
            byte[] scalar = Blake3.hash(sample, 0, sample.length, null, null);
            long t1 = System.nanoTime();
            byte[] lanes = Blake3.hash(sample, 0, sample.length, null, vector);
            long t2 = System.nanoTime();
            if (!Arrays.equals(scalar, lanes)) {
                LOG.warn("BLAKE3: {}-lane vector digest differs from the scalar one in warm-up round {}; hashing stays scalar",
                        vector.lanes(), rounds);
                return;
            }
            wins = (t2 - t1) * SPEED_UP_NEEDED <= (t1 - t0) ? wins + 1 : 0;
            if (wins >= WINS_NEEDED) {
                handOver.accept(vector);
                LOG.info("BLAKE3: {}-lane vector hashing on after {} ms of warm-up ({} MB/s, scalar {} MB/s, C1 {})",
                        vector.lanes(), (t2 - start) / 1_000_000, mbPerSecond(t2 - t1), mbPerSecond(t1 - t0),
                        directive ? "kept out" : "not kept out");
                return;
            }
        }
        LOG.info("BLAKE3: vector hashing not {}x faster than scalar after {} rounds (C1 {}); hashing stays scalar",
                SPEED_UP_NEEDED, rounds, directive ? "kept out" : "not kept out");
    }

    private static long mbPerSecond(long nanos) {
        return Math.round(SAMPLE_BYTES * 1e3 / Math.max(1, nanos));
    }
}
