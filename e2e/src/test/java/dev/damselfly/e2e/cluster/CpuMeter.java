package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU use between two readings of {@code /proc/stat} (all processes, all namespaces): tells whether a
 * run was limited by the links or by the cores every lab process shares.
 */
final class CpuMeter {
    private final long busy;
    private final long total;

    private CpuMeter(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    /** A reading now. */
    static CpuMeter read() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new CpuMeter(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new CpuMeter(0, 0);
        }
    }

    /** A note such as "machine CPU 87% busy (2 cores) during the pulls", or "" when /proc/stat is unreadable. */
    String since(CpuMeter before) {
        long t = total - before.total;
        if (t <= 0) {
            return "";
        }
        return String.format("machine CPU %.0f%% busy (%d cores) during the pulls", 100.0 * (busy - before.busy) / t,
                Runtime.getRuntime().availableProcessors());
    }
}
