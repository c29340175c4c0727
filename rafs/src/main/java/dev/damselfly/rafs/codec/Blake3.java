package dev.damselfly.rafs.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One-shot BLAKE3-256 (unkeyed hash mode, 32-byte output), written for chunk verification: the compression
 * function keeps its state in locals and reads message words straight from the input array, so hashing
 * allocates nothing per block (the general-purpose implementation in commons-codec copies arrays on every
 * compression and runs several times slower). Inputs of at least {@link #PARALLEL_THRESHOLD} bytes can be
 * hashed as two subtrees on a {@link ForkJoinPool} (BLAKE3's tree makes the halves independent): see
 * {@link #hash(byte[], int, int, ForkJoinPool)}. Full chunks, and parents, go {@link Blake3Lanes#lanes()} at a time
 * through the JDK's vector API once the JVM has hashed enough to make that worth a warm-up and the warm-up has found
 * it faster ({@link #startVectorWarmUp()}). Thread-safe (no state between calls but that switch).
 */
public final class Blake3 {
    /** Output length in bytes: 32. */
    public static final int OUT_LEN = 32;
    /** BLAKE3 chunk length in bytes: 1024 (16 blocks). */
    static final int CHUNK_LEN = 1024;
    /** BLAKE3 block length in bytes: 64. */
    static final int BLOCK_LEN = 64;
    /**
     * Smallest input, in bytes, that {@link #hash(byte[], int, int, ForkJoinPool)} splits across threads: 256 KiB
     * (below that the hand-off costs more than it saves).
     */
    public static final int PARALLEL_THRESHOLD = 256 << 10;

    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;
    private static final int PARENT = 4;
    private static final int ROOT = 8;

    private static final int IV0 = 0x6A09E667;
    private static final int IV1 = 0xBB67AE85;
    private static final int IV2 = 0x3C6EF372;
    private static final int IV3 = 0xA54FF53A;
    private static final int IV4 = 0x510E527F;
    private static final int IV5 = 0x9B05688C;
    private static final int IV6 = 0x1F83D9AB;
    private static final int IV7 = 0x5BE0CD19;

    /** The BLAKE3 initialization vector (SHA-256's initial hash words). */
    static final int[] IV = {IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7};

    /** Whether this JVM may hash with vectors at all (checked without loading the vector API). */
    private static final boolean VECTOR_POSSIBLE = Blake3Lanes.possible();
    /** What {@link #hash} uses: null (scalar) until {@link #startVectorWarmUp()} has handed the vector implementation over. */
    private static volatile Blake3Lanes active;
    private static final AtomicBoolean WARM_UP_STARTED = new AtomicBoolean();

    /**
     * System property: bytes this JVM hashes with scalar code before it starts the vector warm-up: {@value}
     * (default {@link #DEFAULT_WARM_UP_AFTER_BYTES}).
     */
    public static final String WARM_UP_AFTER_PROPERTY = "damselfly.blake3.vectorWarmUpAfter";
    /**
     * Default of {@link #WARM_UP_AFTER_PROPERTY}: 2 GiB. The warm-up costs a fresh JVM 3–6 CPU-seconds (medians 3.7 and 4.2 in
     * two runs of {@code rafs/bench/blake3}: interpreting the vector code until the JIT has compiled it) and then saves about
     * 1.5 ms per MiB (1.9 ms scalar, 0.35 ms with 16 lanes). Starting it once the process has spent about as much on
     * scalar hashing as the warm-up would cost (the ski-rental rule: 2 GiB at 1.9 ms per MiB) keeps short runs (a
     * cold start, a build of a few hundred MB) free of it and costs a heavy hasher at most about twice the best choice.
     */
    public static final long DEFAULT_WARM_UP_AFTER_BYTES = 2L << 30;
    private static final long WARM_UP_AFTER_BYTES = Long.getLong(WARM_UP_AFTER_PROPERTY, DEFAULT_WARM_UP_AFTER_BYTES);
    private static final AtomicLong SCALAR_BYTES = new AtomicLong();

    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private Blake3() {
    }

    /** Chunks (or parents) {@link #hash} compresses per pass now: the vector implementation's lanes, or 1 (scalar). */
    public static int lanes() {
        Blake3Lanes now = active;
        return now == null ? 1 : now.lanes();
    }

    /**
     * Starts, once per JVM, the background warm-up after which {@link #hash} hashes several chunks per pass with the
     * JDK's vector API (see {@link Blake3VectorWarmUp}). {@link #hash} starts it by itself once the JVM has hashed
     * {@link #WARM_UP_AFTER_PROPERTY} bytes. Returns immediately; false when this JVM cannot hash with vectors (started
     * without {@code --add-modules jdk.incubator.vector}, or {@code -Ddamselfly.blake3.vector=false}); hashing also
     * stays scalar when vectors are narrower than 128 bits or never become faster.
     */
    public static boolean startVectorWarmUp() {
        if (!VECTOR_POSSIBLE) {
            return false;
        }
        if (WARM_UP_STARTED.compareAndSet(false, true)) {
            Thread thread = new Thread(() -> {
                Blake3Lanes vector = Vector.IMPLEMENTATION;
                if (vector != null) {
                    new Blake3VectorWarmUp(vector, ready -> active = ready).run();
                }
            }, "blake3-vector-warm-up");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            thread.start();
        }
        return true;
    }

    /** This JVM's vector implementation whether or not it is in use yet, or null (tests). */
    static Blake3Lanes vectorImplementation() {
        return Vector.IMPLEMENTATION;
    }

    /** Holder: the vector API's classes load when the warm-up (or a test) first asks, not with this class. */
    private static final class Vector {
        static final Blake3Lanes IMPLEMENTATION = Blake3Lanes.detect().orElse(null);
    }

    /** BLAKE3-256 of {@code data[off, off + len)} on the calling thread. */
    public static byte[] hash(byte[] data, int off, int len) {
        return hash(data, off, len, null);
    }

    /**
     * BLAKE3-256 of {@code data[off, off + len)}; when {@code pool} is not null and the input is at least
     * {@link #PARALLEL_THRESHOLD} bytes, the left subtree is hashed on {@code pool} while the calling thread hashes
     * the right one (the same digest either way).
     */
    public static byte[] hash(byte[] data, int off, int len, ForkJoinPool pool) {
        Blake3Lanes now = active;
        if (now == null && VECTOR_POSSIBLE && !WARM_UP_STARTED.get()
                && SCALAR_BYTES.addAndGet(len) >= WARM_UP_AFTER_BYTES) {
            startVectorWarmUp();
        }
        return hash(data, off, len, pool, now);
    }

    /** {@link #hash(byte[], int, int, ForkJoinPool)} with a given vector implementation, or none (null). */
    static byte[] hash(byte[] data, int off, int len, ForkJoinPool pool, Blake3Lanes lanes) {
        if (off < 0 || len < 0 || off > data.length - len) {
            throw new IndexOutOfBoundsException("range [" + off + ", +" + len + ") of " + data.length + " bytes");
        }
        int[] cv = new int[8];
        if (len <= CHUNK_LEN) {
            chunk(data, off, len, 0, ROOT, cv);
        } else {
            int left = leftLength(len);
            int[] l = new int[8];
            int[] r = new int[8];
            if (pool != null && len >= PARALLEL_THRESHOLD) {
                ForkJoinTask<?> task = pool.submit(() -> subtree(data, off, left, 0, lanes, l));
                subtree(data, off + left, len - left, left / CHUNK_LEN, lanes, r);
                task.join();
            } else {
                subtree(data, off, left, 0, lanes, l);
                subtree(data, off + left, len - left, left / CHUNK_LEN, lanes, r);
            }
            parent(l, r, ROOT, cv);
        }
        byte[] out = new byte[OUT_LEN];
        for (int i = 0; i < 8; i++) {
            int w = cv[i];
            out[i * 4] = (byte) w;
            out[i * 4 + 1] = (byte) (w >>> 8);
            out[i * 4 + 2] = (byte) (w >>> 16);
            out[i * 4 + 3] = (byte) (w >>> 24);
        }
        return out;
    }

    /** Bytes in the left subtree of an input of {@code len > CHUNK_LEN} bytes: the largest power-of-two number of chunks that leaves at least one byte on the right. */
    static int leftLength(int len) {
        int fullChunks = (len - 1) / CHUNK_LEN;
        return Integer.highestOneBit(fullChunks) * CHUNK_LEN;
    }

    /**
     * Chaining value of the (non-root) subtree of {@code len >= 1} bytes whose first chunk is number
     * {@code counter}: every chunk's chaining value first (full chunks {@code lanes} at a time when there is a vector
     * implementation), then the tree level by level, pairing neighbours and carrying an odd last node up unchanged;
     * that builds exactly BLAKE3's left-complete tree.
     */
    private static void subtree(byte[] data, int off, int len, long counter, Blake3Lanes lanes, int[] cv) {
        int chunks = (len + CHUNK_LEN - 1) / CHUNK_LEN;
        int[] cvs = new int[8 * chunks];
        int[] one = new int[8];
        int i = 0;
        if (lanes != null) {
            int step = lanes.lanes();
            for (int fullChunks = len / CHUNK_LEN; i + step <= fullChunks; i += step) {
                lanes.chunks(data, off + i * CHUNK_LEN, counter + i, cvs, i);
            }
        }
        for (; i < chunks; i++) {
            int start = i * CHUNK_LEN;
            chunk(data, off + start, Math.min(CHUNK_LEN, len - start), counter + i, 0, one);
            System.arraycopy(one, 0, cvs, 8 * i, 8);
        }
        int[] block = new int[16];
        for (int nodes = chunks; nodes > 1; ) {
            int pairs = nodes / 2;
            int p = 0;
            if (lanes != null) {
                for (int step = lanes.lanes(); p + step <= pairs; p += step) {
                    lanes.parents(cvs, p);
                }
            }
            for (; p < pairs; p++) {
                System.arraycopy(cvs, 16 * p, block, 0, 16);
                System.arraycopy(IV, 0, one, 0, 8);
                compress(one, block, 0, BLOCK_LEN, PARENT);
                System.arraycopy(one, 0, cvs, 8 * p, 8);
            }
            if ((nodes & 1) == 1) {
                System.arraycopy(cvs, 8 * (nodes - 1), cvs, 8 * pairs, 8);
            }
            nodes = pairs + (nodes & 1);
        }
        System.arraycopy(cvs, 0, cv, 0, 8);
    }

    /** Chaining value of the full, non-root chunk at {@code data[off]} with chunk counter {@code counter}. */
    static void chunkChainingValue(byte[] data, int off, long counter, int[] cv) {
        chunk(data, off, CHUNK_LEN, counter, 0, cv);
    }

    /** Chaining value (or root output when {@code rootFlag} is ROOT) of one chunk of {@code len <= 1024} bytes. */
    private static void chunk(byte[] data, int off, int len, long counter, int rootFlag, int[] out) {
        int blocks = Math.max(1, (len + BLOCK_LEN - 1) / BLOCK_LEN);
        int[] m = new int[16];
        int[] cv = out;
        cv[0] = IV0; cv[1] = IV1; cv[2] = IV2; cv[3] = IV3; cv[4] = IV4; cv[5] = IV5; cv[6] = IV6; cv[7] = IV7;
        for (int b = 0; b < blocks; b++) {
            int flags = (b == 0 ? CHUNK_START : 0) | (b == blocks - 1 ? CHUNK_END | rootFlag : 0);
            int at = off + b * BLOCK_LEN;
            int blockLen = Math.min(BLOCK_LEN, len - b * BLOCK_LEN);
            if (blockLen == BLOCK_LEN) {
                for (int i = 0; i < 16; i++) {
                    m[i] = (int) LE_INT.get(data, at + 4 * i);
                }
            } else {
                // the last, partial block: little-endian words, zero-padded
                Arrays.fill(m, 0);
                for (int i = 0; i < blockLen; i++) {
                    m[i >>> 2] |= (data[at + i] & 0xFF) << ((i & 3) << 3);
                }
            }
            compress(cv, m, counter, blockLen, flags);
        }
    }

    /** Chaining value (or root output) of the parent of {@code left} and {@code right}, into {@code out}. */
    private static void parent(int[] left, int[] right, int rootFlag, int[] out) {
        int[] m = new int[16];
        System.arraycopy(left, 0, m, 0, 8);
        System.arraycopy(right, 0, m, 8, 8);
        out[0] = IV0; out[1] = IV1; out[2] = IV2; out[3] = IV3; out[4] = IV4; out[5] = IV5; out[6] = IV6; out[7] = IV7;
        compress(out, m, 0, BLOCK_LEN, PARENT | rootFlag);
    }

    /**
     * The BLAKE3 compression function, truncated to the 8-word chaining value: {@code cv} is the input chaining
     * value and receives the output; {@code m} holds the 16 message words.
     */
    private static void compress(int[] cv, int[] m, long counter, int blockLen, int flags) {
        int m0 = m[0], m1 = m[1];
        int m2 = m[2], m3 = m[3];
        int m4 = m[4], m5 = m[5];
        int m6 = m[6], m7 = m[7];
        int m8 = m[8], m9 = m[9];
        int m10 = m[10], m11 = m[11];
        int m12 = m[12], m13 = m[13];
        int m14 = m[14], m15 = m[15];

        int v0 = cv[0], v1 = cv[1], v2 = cv[2], v3 = cv[3], v4 = cv[4], v5 = cv[5], v6 = cv[6], v7 = cv[7];
        int v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        int v12 = (int) counter, v13 = (int) (counter >>> 32), v14 = blockLen, v15 = flags;

        // seven rounds, unrolled, each with the message words in that round's permuted order
        // round 1
        v0 += v4 + m0; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m1; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m2; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m4; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m5; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m8; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m9; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m12; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m13; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m14; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 2
        v0 += v4 + m2; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m6; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m10; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m7; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m0; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m4; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m13; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m1; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m11; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m12; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m5; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m9; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m14; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m8; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 3
        v0 += v4 + m3; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m4; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m10; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m12; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m13; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m2; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m14; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m6; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m5; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m9; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m0; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m11; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m15; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m8; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m1; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 4
        v0 += v4 + m10; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m7; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m12; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m9; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m14; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m3; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m13; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m15; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m4; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m0; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m2; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m5; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m8; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m1; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m6; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 5
        v0 += v4 + m12; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m13; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m9; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m11; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m15; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m10; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m14; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m8; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m7; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m2; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m5; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m3; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m0; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m1; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m6; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m4; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 6
        v0 += v4 + m9; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m14; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m11; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m5; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m8; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m12; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m15; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m1; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m13; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m3; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m0; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m2; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m6; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m4; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m7; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        // round 7
        v0 += v4 + m11; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
        v0 += v4 + m15; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
        v1 += v5 + m5; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
        v1 += v5 + m0; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
        v2 += v6 + m1; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
        v2 += v6 + m9; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
        v3 += v7 + m8; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
        v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
        v0 += v5 + m14; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
        v0 += v5 + m10; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
        v1 += v6 + m2; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
        v1 += v6 + m12; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
        v2 += v7 + m3; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
        v2 += v7 + m4; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
        v3 += v4 + m7; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
        v3 += v4 + m13; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
        cv[0] = v0 ^ v8;
        cv[1] = v1 ^ v9;
        cv[2] = v2 ^ v10;
        cv[3] = v3 ^ v11;
        cv[4] = v4 ^ v12;
        cv[5] = v5 ^ v13;
        cv[6] = v6 ^ v14;
        cv[7] = v7 ^ v15;
    }
}
