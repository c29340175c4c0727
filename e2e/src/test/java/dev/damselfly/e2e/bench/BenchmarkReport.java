package dev.damselfly.e2e.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces one benchmark's section of {@code BENCHMARKS.md}, delimited by
 * {@code <!-- bench:NAME:start -->} and {@code <!-- bench:NAME:end -->}, leaving the others alone.
 */
final class BenchmarkReport {
    private BenchmarkReport() {
    }

    static void writeSection(Path file, String name, String markdown) throws IOException {
        String start = "<!-- bench:" + name + ":start -->";
        String end = "<!-- bench:" + name + ":end -->";
        String block = start + "\n" + markdown.strip() + "\n" + end;
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8)
                : "# Benchmarks\n\nEach section is written by the benchmark it names; the command to reproduce it is in the section.\n";
        int s = text.indexOf(start);
        int e = text.indexOf(end);
        if (s >= 0 && e > s) {
            text = text.substring(0, s) + block + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + block + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Median of the values (the mean of the middle two for an even count). */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
