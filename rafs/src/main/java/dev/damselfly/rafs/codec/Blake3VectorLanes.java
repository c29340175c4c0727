package dev.damselfly.rafs.codec;

import static jdk.incubator.vector.VectorOperators.ROR;
import static jdk.incubator.vector.VectorOperators.XOR;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Blake3Lanes} on the JDK's vector API ({@code jdk.incubator.vector}): lane {@code i} of each of the 16
 * state vectors holds chunk (or parent) {@code i}'s state, so one pass of the compression function compresses
 * {@link #lanes()} blocks; on a 512-bit machine that is 16 at a time, several times the scalar rate. Message words
 * are transposed into lane order through a scratch array (16 KiB for a batch of 16 chunks). Only loaded through
 * {@link Blake3Lanes#detect()}; used once {@link Blake3VectorWarmUp} has seen it compiled and faster. Thread-safe
 * (scratch arrays are per call).
 */
final class Blake3VectorLanes implements Blake3Lanes {
    private static final VarHandle LE_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;
    private static final int PARENT = 4;
    private static final int BLOCKS_PER_CHUNK = Blake3.CHUNK_LEN / Blake3.BLOCK_LEN;
    /**
     * The widest vector shape this JVM compiles to fast code (a constant, so that the JIT intrinsifies every
     * operation): 16 lanes with AVX-512, 8 with AVX2; {@code -XX:MaxVectorSize} narrows it.
     */
    private static final VectorSpecies<Integer> SPECIES = IntVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    @Override
    public int lanes() {
        return LANES;
    }

    @Override
    public void chunks(byte[] data, int off, long counter, int[] cvs, int row) {
        if (off < 0 || off > data.length - LANES * Blake3.CHUNK_LEN) {
            throw new IndexOutOfBoundsException(LANES + " chunks at " + off + " of " + data.length + " bytes");
        }
        // message word k of block b of lane j at (b * 16 + k) * LANES + j
        int[] words = new int[BLOCKS_PER_CHUNK * 16 * LANES];
        for (int j = 0; j < LANES; j++) {
            int chunk = off + j * Blake3.CHUNK_LEN;
            for (int w = 0; w < BLOCKS_PER_CHUNK * 16; w++) {
                words[w * LANES + j] = (int) LE_INT.get(data, chunk + 4 * w);
            }
        }
        int[] lo = new int[LANES];
        int[] hi = new int[LANES];
        for (int j = 0; j < LANES; j++) {
            lo[j] = (int) (counter + j);
            hi[j] = (int) ((counter + j) >>> 32);
        }
        int[] columns = new int[8 * LANES];
        compressBlocks(words, BLOCKS_PER_CHUNK, lo, hi, 0, CHUNK_START, CHUNK_END, columns);
        toRows(columns, cvs, row);
    }

    @Override
    public void parents(int[] cvs, int p) {
        if (p < 0 || 16 * (p + LANES) > cvs.length) {
            throw new IndexOutOfBoundsException(LANES + " parents from " + p + " of " + cvs.length / 8 + " rows");
        }
        int[] words = new int[16 * LANES];
        for (int j = 0; j < LANES; j++) {
            int at = 16 * (p + j);
            for (int k = 0; k < 16; k++) {
                words[k * LANES + j] = cvs[at + k];
            }
        }
        int[] zero = new int[LANES];
        int[] columns = new int[8 * LANES];
        compressBlocks(words, 1, zero, zero, PARENT, 0, 0, columns);
        toRows(columns, cvs, p);
    }

    /** Writes lane {@code j} of the chaining-value columns (word {@code k} at {@code k * LANES}) to row {@code row + j}. */
    private static void toRows(int[] columns, int[] cvs, int row) {
        for (int j = 0; j < LANES; j++) {
            for (int k = 0; k < 8; k++) {
                cvs[8 * (row + j) + k] = columns[k * LANES + j];
            }
        }
    }

    /**
     * Compresses {@code blocks} blocks in every lane, starting from the IV: {@code words} holds message word
     * {@code k} of block {@code b} of every lane at {@code (16 b + k) * LANES}; the block counter of lane {@code j}
     * is {@code counterHi[j] << 32 | counterLo[j]}; every block gets {@code flags}, the first also
     * {@code firstFlags}, the last also {@code lastFlags}. The chaining values leave in {@code columns} (word
     * {@code k} of every lane at {@code k * LANES}). One method with the rounds unrolled, so that C2 keeps all 32
     * state and message vectors in registers (about 3x the speed of a method per round); C1 cannot compile it well,
     * see {@link Blake3VectorWarmUp}.
     */
    private static void compressBlocks(int[] words, int blocks, int[] counterLo, int[] counterHi, int flags,
            int firstFlags, int lastFlags, int[] columns) {
        IntVector h0 = iv(0), h1 = iv(1), h2 = iv(2), h3 = iv(3), h4 = iv(4), h5 = iv(5), h6 = iv(6), h7 = iv(7);
        IntVector counterLow = IntVector.fromArray(SPECIES, counterLo, 0);
        IntVector counterHigh = IntVector.fromArray(SPECIES, counterHi, 0);
        IntVector blockLen = IntVector.broadcast(SPECIES, Blake3.BLOCK_LEN);
        for (int b = 0; b < blocks; b++) {
            int at = 16 * b * LANES;
            IntVector m0 = IntVector.fromArray(SPECIES, words, at);
            IntVector m1 = IntVector.fromArray(SPECIES, words, at + LANES);
            IntVector m2 = IntVector.fromArray(SPECIES, words, at + 2 * LANES);
            IntVector m3 = IntVector.fromArray(SPECIES, words, at + 3 * LANES);
            IntVector m4 = IntVector.fromArray(SPECIES, words, at + 4 * LANES);
            IntVector m5 = IntVector.fromArray(SPECIES, words, at + 5 * LANES);
            IntVector m6 = IntVector.fromArray(SPECIES, words, at + 6 * LANES);
            IntVector m7 = IntVector.fromArray(SPECIES, words, at + 7 * LANES);
            IntVector m8 = IntVector.fromArray(SPECIES, words, at + 8 * LANES);
            IntVector m9 = IntVector.fromArray(SPECIES, words, at + 9 * LANES);
            IntVector m10 = IntVector.fromArray(SPECIES, words, at + 10 * LANES);
            IntVector m11 = IntVector.fromArray(SPECIES, words, at + 11 * LANES);
            IntVector m12 = IntVector.fromArray(SPECIES, words, at + 12 * LANES);
            IntVector m13 = IntVector.fromArray(SPECIES, words, at + 13 * LANES);
            IntVector m14 = IntVector.fromArray(SPECIES, words, at + 14 * LANES);
            IntVector m15 = IntVector.fromArray(SPECIES, words, at + 15 * LANES);
            int blockFlags = flags | (b == 0 ? firstFlags : 0) | (b == blocks - 1 ? lastFlags : 0);
            IntVector v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            IntVector v8 = iv(0), v9 = iv(1), v10 = iv(2), v11 = iv(3);
            IntVector v12 = counterLow, v13 = counterHigh, v14 = blockLen, v15 = IntVector.broadcast(SPECIES, blockFlags);
            // seven rounds, each with the message words in that round's permuted order
            // round 1
            v0 = v0.add(v4).add(m0); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m1); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m2); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m3); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m4); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m5); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m6); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m7); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m8); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m9); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m10); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m11); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m12); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m13); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m14); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m15); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 2
            v0 = v0.add(v4).add(m2); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m6); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m3); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m10); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m7); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m0); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m4); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m13); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m1); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m11); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m12); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m5); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m9); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m14); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m15); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m8); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 3
            v0 = v0.add(v4).add(m3); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m4); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m10); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m12); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m13); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m2); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m7); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m14); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m6); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m5); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m9); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m0); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m11); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m15); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m8); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m1); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 4
            v0 = v0.add(v4).add(m10); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m7); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m12); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m9); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m14); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m3); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m13); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m15); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m4); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m0); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m11); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m2); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m5); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m8); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m1); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m6); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 5
            v0 = v0.add(v4).add(m12); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m13); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m9); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m11); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m15); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m10); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m14); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m8); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m7); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m2); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m5); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m3); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m0); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m1); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m6); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m4); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 6
            v0 = v0.add(v4).add(m9); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m14); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m11); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m5); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m8); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m12); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m15); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m1); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m13); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m3); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m0); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m10); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m2); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m6); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m4); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m7); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            // round 7
            v0 = v0.add(v4).add(m11); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 16); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 12);
            v0 = v0.add(v4).add(m15); v12 = v12.lanewise(XOR, v0).lanewise(ROR, 8); v8 = v8.add(v12); v4 = v4.lanewise(XOR, v8).lanewise(ROR, 7);
            v1 = v1.add(v5).add(m5); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 16); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 12);
            v1 = v1.add(v5).add(m0); v13 = v13.lanewise(XOR, v1).lanewise(ROR, 8); v9 = v9.add(v13); v5 = v5.lanewise(XOR, v9).lanewise(ROR, 7);
            v2 = v2.add(v6).add(m1); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 16); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 12);
            v2 = v2.add(v6).add(m9); v14 = v14.lanewise(XOR, v2).lanewise(ROR, 8); v10 = v10.add(v14); v6 = v6.lanewise(XOR, v10).lanewise(ROR, 7);
            v3 = v3.add(v7).add(m8); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 16); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 12);
            v3 = v3.add(v7).add(m6); v15 = v15.lanewise(XOR, v3).lanewise(ROR, 8); v11 = v11.add(v15); v7 = v7.lanewise(XOR, v11).lanewise(ROR, 7);
            v0 = v0.add(v5).add(m14); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 16); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 12);
            v0 = v0.add(v5).add(m10); v15 = v15.lanewise(XOR, v0).lanewise(ROR, 8); v10 = v10.add(v15); v5 = v5.lanewise(XOR, v10).lanewise(ROR, 7);
            v1 = v1.add(v6).add(m2); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 16); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 12);
            v1 = v1.add(v6).add(m12); v12 = v12.lanewise(XOR, v1).lanewise(ROR, 8); v11 = v11.add(v12); v6 = v6.lanewise(XOR, v11).lanewise(ROR, 7);
            v2 = v2.add(v7).add(m3); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 16); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 12);
            v2 = v2.add(v7).add(m4); v13 = v13.lanewise(XOR, v2).lanewise(ROR, 8); v8 = v8.add(v13); v7 = v7.lanewise(XOR, v8).lanewise(ROR, 7);
            v3 = v3.add(v4).add(m7); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 16); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 12);
            v3 = v3.add(v4).add(m13); v14 = v14.lanewise(XOR, v3).lanewise(ROR, 8); v9 = v9.add(v14); v4 = v4.lanewise(XOR, v9).lanewise(ROR, 7);
            h0 = v0.lanewise(XOR, v8);
            h1 = v1.lanewise(XOR, v9);
            h2 = v2.lanewise(XOR, v10);
            h3 = v3.lanewise(XOR, v11);
            h4 = v4.lanewise(XOR, v12);
            h5 = v5.lanewise(XOR, v13);
            h6 = v6.lanewise(XOR, v14);
            h7 = v7.lanewise(XOR, v15);
        }
        h0.intoArray(columns, 0);
        h1.intoArray(columns, LANES);
        h2.intoArray(columns, 2 * LANES);
        h3.intoArray(columns, 3 * LANES);
        h4.intoArray(columns, 4 * LANES);
        h5.intoArray(columns, 5 * LANES);
        h6.intoArray(columns, 6 * LANES);
        h7.intoArray(columns, 7 * LANES);
    }

    private static IntVector iv(int i) {
        return IntVector.broadcast(SPECIES, Blake3.IV[i]);
    }
}
