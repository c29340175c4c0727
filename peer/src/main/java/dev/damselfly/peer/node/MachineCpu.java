package dev.damselfly.peer.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine's CPUs were between two looks, from the kernel's aggregate CPU line of {@code /proc/stat}:
 * every process on the machine counts (containerd unpacking a layer, another pod), not only this JVM. Thread-safe.
 */
final class MachineCpu {
    /** The kernel's CPU time counters. */
    static final Path PROC_STAT = Path.of("/proc/stat");

    private final Path stat;
    private final boolean readable;
    private long lastTotal = -1;
    private long lastIdle;

    /** @param stat a file in {@code /proc/stat}'s format (its first line is read) */
    MachineCpu(Path stat) {
        this.stat = stat;
        this.readable = sample();
    }

    /** Whether the counters could be read when this was made (false off Linux). */
    boolean readable() {
        return readable;
    }

    /**
     * The fraction (0 to 1) of all CPUs' time spent busy since the previous call (or since construction); -1 when it
     * cannot be told: the file is unreadable (not Linux) or no time has been counted since.
     */
    synchronized double busyFraction() {
        long previousTotal = lastTotal;
        long previousIdle = lastIdle;
        if (!sample() || previousTotal < 0) {
            return -1;
        }
        long total = lastTotal - previousTotal;
        if (total <= 0) {
            return -1;
        }
        long idle = lastIdle - previousIdle;
        return Math.max(0, Math.min(1, 1 - (double) idle / total));
    }

    /** Reads the counters into lastTotal and lastIdle (idle + iowait); false when they cannot be read. */
    private boolean sample() {
        String line;
        try (BufferedReader in = Files.newBufferedReader(stat)) {
            line = in.readLine();
        } catch (IOException | SecurityException e) {
            return false;
        }
        if (line == null || !line.startsWith("cpu ")) {
            return false;
        }
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 5) {
            return false;
        }
        long total = 0;
        long idle = 0;
        try {
            // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user and nice]
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                long v = Long.parseLong(fields[i]);
                total += v;
                if (i == 4 || i == 5) {
                    idle += v;
                }
            }
        } catch (NumberFormatException e) {
            return false;
        }
        lastTotal = total;
        lastIdle = idle;
        return true;
    }
}
