package dev.damselfly.rafs.codec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark: BLAKE3 throughput of chunk digests, scalar and vector, side by side with {@code b3sum} (the BLAKE3
 * team's own implementation, hand-written SIMD) on the same bytes, and the time the vector warm-up takes in a fresh
 * JVM. Writes the blake3 section of {@code BENCHMARKS.md}. Arguments: REPORT (BENCHMARKS.md) ROUNDS (3) MIB (256).
 * Used by {@code rafs/bench/blake3}; needs {@code --add-modules jdk.incubator.vector} and {@code b3sum}.
 */
public final class Blake3Throughput {
    /** Chunk size hashed per call, in bytes: Nydus's default chunk, 1 MiB. */
    static final int CHUNK = 1 << 20;
    /** Least time each measurement hashes for, in nanoseconds: 2 s. */
    static final long MEASURE_NANOS = 2_000_000_000L;

    private Blake3Throughput() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path report = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int mib = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Blake3Lanes vector = Blake3.vectorImplementation();
        if (vector == null) {
            throw new IllegalStateException("no vector BLAKE3 in this JVM: run with --add-modules jdk.incubator.vector");
        }
        Blake3JitDirective.keepCompressionOutOfC1();
        byte[] data = new byte[mib << 20];
        new SplittableRandom(mib).nextBytes(data);
        Path file = Files.createTempFile("damselfly-blake3-bench-", ".bin");
        try {
            Files.write(file, data);
            // the whole input as one BLAKE3 message: ours (scalar and vector) against b3sum's digest
            String ours = HexFormat.of().formatHex(Blake3.hash(data, 0, data.length, null, null));
            String oursVector = HexFormat.of().formatHex(Blake3.hash(data, 0, data.length, null, vector));
            String theirs = b3sum(file).digest();
            if (!ours.equals(theirs) || !oursVector.equals(theirs)) {
                throw new IllegalStateException("digest of " + mib + " MiB: scalar " + ours + ", vector " + oursVector
                        + ", b3sum " + theirs);
            }
            List<Double> scalar = new ArrayList<>();
            List<Double> lanes = new ArrayList<>();
            List<Double> reference = new ArrayList<>();
            List<Double> warmUp = new ArrayList<>();
            List<Double> warmUpCpu = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                scalar.add(chunkRate(data, null));
                lanes.add(chunkRate(data, vector));
                reference.add(data.length / 1e6 / b3sum(file).seconds());
                double[] wall = freshJvmWarmUpMillis();
                warmUp.add(wall[0]);
                warmUpCpu.add(wall[1]);
                System.err.printf(Locale.ROOT, "round %d: scalar %.0f MB/s, %d lanes %.0f MB/s, b3sum %.0f MB/s, warm-up %.0f ms (CPU %.0f ms)%n",
                        round + 1, scalar.get(round), vector.lanes(), lanes.get(round), reference.get(round),
                        warmUp.get(round), warmUpCpu.get(round));
            }
            write(report, section(rounds, mib, vector.lanes(), median(scalar), median(lanes), median(reference),
                    median(warmUp), median(warmUpCpu)));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** MB/s hashing {@code data} in {@link #CHUNK}-byte digests on one thread, after a warm-up pass. */
    private static double chunkRate(byte[] data, Blake3Lanes lanes) {
        byte[] sink = new byte[Blake3.OUT_LEN];
        for (int off = 0; off + CHUNK <= data.length; off += CHUNK) {
            sink[0] ^= Blake3.hash(data, off, CHUNK, null, lanes)[0];
        }
        long bytes = 0;
        long start = System.nanoTime();
        long elapsed;
        do {
            for (int off = 0; off + CHUNK <= data.length; off += CHUNK) {
                sink[0] ^= Blake3.hash(data, off, CHUNK, null, lanes)[0];
                bytes += CHUNK;
            }
            elapsed = System.nanoTime() - start;
        } while (elapsed < MEASURE_NANOS);
        if (sink[0] == 42 && sink[1] == 42) {
            System.err.print(""); // keeps the digests alive
        }
        return bytes / 1e6 / (elapsed / 1e9);
    }

    private record B3sum(String digest, double seconds) {
    }

    /** {@code b3sum --num-threads 1 FILE}: its digest and wall time (process start included). */
    private static B3sum b3sum(Path file) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder("b3sum", "--num-threads", "1", "--no-names", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("b3sum failed: " + out);
        }
        return new B3sum(out, (System.nanoTime() - start) / 1e9);
    }

    /** Wall and CPU milliseconds from {@link Blake3#startVectorWarmUp()} to the hand-over, in a fresh JVM. */
    private static double[] freshJvmWarmUpMillis() throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", Blake3Lanes.VECTOR_MODULE, "-cp", System.getProperty("java.class.path"),
                Blake3VectorChild.class.getName(), "warm-up").redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        child.waitFor();
        Matcher m = Pattern.compile("(?m)^lanes (\\d+) after (\\d+) ms, cpu (\\d+) ms$").matcher(out);
        if (!m.find() || m.group(1).equals("1")) {
            throw new IllegalStateException("the warm-up did not hand over: " + out);
        }
        return new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))};
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String section(int rounds, int mib, int lanes, double scalar, double vector, double b3sum,
            double warmUpMillis, double warmUpCpuMillis) {
        return String.format(Locale.ROOT, """
                ## BLAKE3: chunk digests, scalar and vector, vs b3sum

                Measured %s on %d cores, Java %s, %s: %d MiB of random bytes hashed as 1 MiB chunks (Nydus's default chunk
                size; one digest per chunk, one thread), %d rounds, medians. `b3sum --num-threads 1` (the BLAKE3 team's
                Rust implementation with hand-written SIMD, Debian's b3sum %s) hashes the same bytes as one file from the
                page cache, process start included; its digest of the whole file equals ours, scalar and vector.
                The vector path (`jdk.incubator.vector`, %d lanes here) is what `node` and `mount` switch to once they
                have hashed 2 GiB (`-Ddamselfly.blake3.vectorWarmUpAfter`) and a background warm-up has seen the
                JIT-compiled vector code give the scalar digest 1.5× faster; until then, and in other commands, hashing
                is scalar.

                | implementation | MB/s | ÷ b3sum |
                |---|---:|---:|
                | Damselfly scalar | %.0f | %.2f× |
                | Damselfly vector, %d lanes | %.0f | %.2f× |
                | b3sum, one thread | %.0f | 1.00× |

                Vector ÷ scalar: %.2f×. Fresh JVM, from `startVectorWarmUp()` to the hand-over: %.0f ms, and %.0f ms of the
                process's CPU meanwhile (warm-up thread, JIT, GC; medians): what a process pays once for the switch.

                Reproduce: `rafs/bench/blake3` (optional arguments: ROUNDS MIB).
                """, LocalDate.now(ZoneOffset.UTC), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), System.getProperty("os.arch"), mib, rounds, b3sumVersion(), lanes,
                scalar, scalar / b3sum, lanes, vector, vector / b3sum, b3sum, vector / scalar, warmUpMillis, warmUpCpuMillis);
    }

    private static String b3sumVersion() {
        try {
            Process p = new ProcessBuilder("b3sum", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            p.waitFor();
            return out.replace("b3sum ", "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** Replaces (or appends) the blake3 section of the report. */
    private static void write(Path report, String body) throws IOException {
        String start = "<!-- bench:blake3:start -->";
        String end = "<!-- bench:blake3:end -->";
        String text = Files.exists(report) ? Files.readString(report) : "# Benchmarks\n";
        String block = start + "\n" + body.strip() + "\n" + end;
        int s = text.indexOf(start);
        int e = text.indexOf(end);
        text = s >= 0 && e > s ? text.substring(0, s) + block + text.substring(e + end.length())
                : text.stripTrailing() + "\n\n" + block + "\n";
        Files.writeString(report, text);
        System.out.println(body);
    }
}
