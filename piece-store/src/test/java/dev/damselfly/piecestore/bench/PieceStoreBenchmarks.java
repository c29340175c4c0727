package dev.damselfly.piecestore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the piece-store JMH benchmarks and writes their section of {@code BENCHMARKS.md} (path in
 * {@code args[0]}): store vs plain {@code FileChannel} ratios for 4 MiB pieces (goal ≥ 0.8×), 16 KiB operations
 * per second, and the time to open a store of 100k pieces. {@code args[1]}: rounds (default 3); each round
 * runs every benchmark once, and the report gives medians over rounds. Used by {@code piece-store/bench/run}.
 */
public final class PieceStoreBenchmarks {
    private PieceStoreBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException, IOException {
        Path report = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        List<Map<String, Double>> perRound = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Collection<RunResult> results = new Runner(new OptionsBuilder()
                    .include(PieceWriteBenchmark.class.getName())
                    .include(PieceReadBenchmark.class.getName())
                    .include(RestartBenchmark.class.getName())
                    .warmupIterations(2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(3).measurementTime(TimeValue.seconds(1))
                    .shouldFailOnError(true)
                    .build()).run();
            Map<String, Double> score = new HashMap<>();
            for (RunResult r : results) {
                var p = r.getParams();
                String method = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.') + 1);
                String mode = p.getParam("verification") != null ? p.getParam("verification") : p.getParam("syncMetadata");
                String cache = p.getParam("pageCache") != null ? "/" + p.getParam("pageCache") : "";
                String key = method + "/" + p.getParam("pieceBytes") + "/" + mode + cache;
                score.put(key, r.getPrimaryResult().getScore());
            }
            // plain I/O does not depend on the store's modes: one figure per size
            for (int size : new int[] {BIG, SMALL}) {
                for (String cache : new String[] {"written", "dropped"}) {
                    score.put("plainRead/" + size + "/" + cache, (score.get("plainRead/" + size + "/EVERY_READ/" + cache)
                            + score.get("plainRead/" + size + "/AFTER_UNCLEAN_STOP/" + cache)) / 2);
                }
                score.put("plainWrite/" + size, (score.get("plainWrite/" + size + "/true")
                        + score.get("plainWrite/" + size + "/false")) / 2);
            }
            perRound.add(score);
        }
        BenchmarkSection.write(report, render(perRound));
        System.out.println("wrote the piece-store section of " + report.toAbsolutePath());
    }

    static final int BIG = 4 << 20;
    static final int SMALL = 16 << 10;

    /** The goal cell: the goal and whether the median ratio meets it ("≥ 0.8× — met" / "— **not met**"). */
    static String verdict(String goal, double ratio) {
        if (!goal.startsWith("≥ ")) {
            return goal;
        }
        double min = Double.parseDouble(goal.substring(2).replace("×", "").strip());
        return goal + (ratio >= min ? " — met" : " — **not met**");
    }

    /** One compared pair: store and plain score keys (ops/s), how to show them, and the goal. */
    private record Pair(String what, String store, String plain, int bytes, String goal) {
    }

    static String render(List<Map<String, Double>> rounds) throws IOException {
        List<Pair> pairs = List.of(
                new Pair("write 4 MiB pieces, content forced, WAL synced (MB/s)", "storeWrite/" + BIG + "/true", "plainWrite/" + BIG, BIG, "≥ 0.8×"),
                new Pair("write 4 MiB pieces, content forced, WAL not synced (MB/s)", "storeWrite/" + BIG + "/false", "plainWrite/" + BIG, BIG, "≥ 0.8×"),
                new Pair("read 4 MiB pieces, CRC on every read (MB/s)", "storeRead/" + BIG + "/EVERY_READ/written", "plainRead/" + BIG + "/written", BIG, "≥ 0.8×"),
                new Pair("read 4 MiB pieces, CRC after unclean stop only (MB/s)", "storeRead/" + BIG + "/AFTER_UNCLEAN_STOP/written", "plainRead/" + BIG + "/written", BIG, "≥ 0.8×"),
                new Pair("read 4 MiB pieces, CRC on every read, both files' pages filled by reads (MB/s)", "storeRead/" + BIG + "/EVERY_READ/dropped", "plainRead/" + BIG + "/dropped", BIG, "≥ 0.8×"),
                new Pair("read 4 MiB pieces, CRC after unclean stop only, both files' pages filled by reads (MB/s)", "storeRead/" + BIG + "/AFTER_UNCLEAN_STOP/dropped", "plainRead/" + BIG + "/dropped", BIG, "≥ 0.8×"),
                new Pair("write 16 KiB pieces, content forced, WAL synced (ops/s)", "storeWrite/" + SMALL + "/true", "plainWrite/" + SMALL, 0, ""),
                new Pair("write 16 KiB pieces, content forced, WAL not synced (ops/s)", "storeWrite/" + SMALL + "/false", "plainWrite/" + SMALL, 0, ""),
                new Pair("read 16 KiB pieces, CRC on every read (ops/s)", "storeRead/" + SMALL + "/EVERY_READ/written", "plainRead/" + SMALL + "/written", 0, ""),
                new Pair("read 16 KiB pieces, CRC after unclean stop only (ops/s)", "storeRead/" + SMALL + "/AFTER_UNCLEAN_STOP/written", "plainRead/" + SMALL + "/written", 0, ""));
        StringBuilder b = new StringBuilder();
        b.append("## Piece store: pieces through the store vs plain FileChannel I/O\n\n");
        b.append("Measured ").append(LocalDate.now(ZoneOffset.UTC)).append(" on ").append(machine())
                .append(": JMH, ").append(rounds.size()).append(" rounds of (1 fork, 2×1 s warm-up, 3×1 s measured, ")
                .append("one thread); store and plain files in the same directory on the same disk. Figures are ")
                .append("medians over the rounds; the ratio is the median of the per-round ratios, with its range.\n\n");
        b.append("| operation | store | plain FileChannel | ratio (range) | goal |\n|---|---:|---:|---:|---|\n");
        for (Pair p : pairs) {
            List<Double> store = new ArrayList<>();
            List<Double> plain = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            for (Map<String, Double> r : rounds) {
                store.add(r.get(p.store()));
                plain.add(r.get(p.plain()));
                ratio.add(r.get(p.store()) / r.get(p.plain()));
            }
            double scale = p.bytes() > 0 ? p.bytes() / 1e6 : 1;
            b.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f× (%.2f–%.2f) | %s |%n", p.what(),
                    median(store) * scale, median(plain) * scale, median(ratio), Collections.min(ratio),
                    Collections.max(ratio), verdict(p.goal(), median(ratio))));
        }
        List<Double> restart = new ArrayList<>();
        for (Map<String, Double> r : rounds) {
            restart.add(r.get("open/null/null"));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "Opening a store that holds 100,000 pieces (100 tasks × 1,000): **%.0f ms**"
                + " (median over rounds of the mean of 3 single-shot opens after a clean close; records only, content"
                + " is never scanned).%n%n", median(restart)));
        b.append("A store write is: CRC-32 of the piece, a positional write (with `O_DIRECT` from an aligned staging "
                + "buffer, the store's default `directIo`, since both piece sizes are block-aligned), `force(false)`, then one RocksDB "
                + "`WriteBatch` whose WAL is synced by default (`syncMetadata`), or not (Dragonfly's setting: a power "
                + "loss may forget the last pieces, never expose wrong ones); the plain write is the positional write "
                + "through the page cache and `force(false)` alone, so with the WAL synced every piece pays a second sync. Reads go into a reused heap buffer with the hot "
                + "cache off, random pieces of a 256 MiB working set in the page cache; \"CRC on every read\" is the default "
                + "`ReadVerification.EVERY_READ`, which is what catches content corrupted behind the store's back. "
                + "The first read rows leave each file's pages as its writes left them: the plain file's were filled "
                + "by its buffered writes, the store's (written with direct I/O) by the benchmark's first random reads, "
                + "and on this VM pages filled by random 4 MiB reads are read back at about 6.5 GB/s against 17 GB/s for "
                + "pages filled by writes or sequential reads. The rows \"both files' pages filled by reads\" evict both "
                + "files' pages after writing (`dd iflag=nocache`), so both fill alike. "
                + "This machine is shared and noisy: compare ratios, not absolute figures.\n\n");
        b.append("Reproduce: `piece-store/bench/run [ROUNDS]` (default 3 rounds; scratch files go to `-Dbench.dir`, "
                + "default the temp directory).\n");
        return b.toString();
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static String machine() throws IOException {
        String cpu = "unknown CPU";
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), JDK "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch");
    }
}
