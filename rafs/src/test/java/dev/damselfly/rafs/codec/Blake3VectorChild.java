package dev.damselfly.rafs.codec;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;

/**
 * Child JVM of {@link Blake3Test}: prints "lanes N" (its vector lanes), then "digest LENGTH HEX" for the test-vector
 * pattern at each of {@link #SIZES}, hashed with the vector implementation. With the argument {@code warm-up}: starts
 * the warm-up and prints "lanes N after MS ms, cpu CPU_MS ms" once the vector implementation is in use (or it gave up). With
 * {@code hash MIB}: hashes 1 MiB chunks up to MIB MiB or until vector hashing is on, and prints "lanes N after M MiB,
 * warm-up thread true|false".
 */
final class Blake3VectorChild {
    static final int[] SIZES = {1025, 4096, 4097, 31744, 102400, (1 << 20) + 1, 3 << 20};

    private Blake3VectorChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("warm-up")) {
            // the production path in a fresh JVM: start the warm-up, wait for the hand-over
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            System.out.println("started " + Blake3.startVectorWarmUp());
            while (Blake3.lanes() == 1 && System.nanoTime() - start < Blake3VectorWarmUp.GIVE_UP_NANOS) {
                Thread.sleep(20);
            }
            // the process's CPU time meanwhile: the warm-up thread, the JIT compiling for it, the GC (this thread sleeps)
            System.out.println("lanes " + Blake3.lanes() + " after " + (System.nanoTime() - start) / 1_000_000 + " ms, cpu "
                    + (processCpuNanos() - cpuStart) / 1_000_000 + " ms");
            return;
        }
        if (args.length > 1 && args[0].equals("hash")) {
            // hash 1 MiB chunks, as a mount would, up to args[1] MiB or until the vector implementation is in use
            int limit = Integer.parseInt(args[1]);
            byte[] chunk = Blake3Test.pattern(1 << 20);
            long start = System.nanoTime();
            int mib = 0;
            while (mib < limit && Blake3.lanes() == 1 && System.nanoTime() - start < Blake3VectorWarmUp.GIVE_UP_NANOS) {
                Blake3.hash(chunk, 0, chunk.length);
                mib++;
            }
            boolean warmUpThread = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("blake3-vector-warm-up"));
            System.out.println("lanes " + Blake3.lanes() + " after " + mib + " MiB, warm-up thread " + warmUpThread);
            return;
        }
        Blake3Lanes vector = Blake3.vectorImplementation();
        if (vector == null) {
            System.err.println("no vector implementation in this JVM");
            System.exit(2);
        }
        System.out.println("lanes " + vector.lanes());
        for (int n : SIZES) {
            System.out.println("digest " + n + " " + HexFormat.of().formatHex(Blake3.hash(Blake3Test.pattern(n), 0, n, null, vector)));
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
