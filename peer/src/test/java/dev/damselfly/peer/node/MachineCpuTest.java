package dev.damselfly.peer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's CPU load between two looks, from files in /proc/stat's format and from the real one. */
class MachineCpuTest {
    @TempDir
    Path dir;

    private Path stat(String cpuLine) throws Exception {
        Path f = dir.resolve("stat");
        Files.writeString(f, cpuLine + "\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 12345\n");
        return f;
    }

    @Test
    void busyFractionIsTheShareOfTimeNeitherIdleNorWaitingForIo() throws Exception {
        Path f = stat("cpu  100 0 50 800 50 0 0 0 0 0");
        MachineCpu cpu = new MachineCpu(f);
        assertTrue(cpu.readable());
        // since then: user +300, system +100, idle +80, iowait +20 (and guest +999, already counted in user)
        stat("cpu  400 0 150 880 70 0 0 0 999 0");
        assertEquals(0.8, cpu.busyFraction(), 1e-9);
        stat("cpu  400 0 150 1280 70 0 0 0 999 0"); // only idle time since
        assertEquals(0.0, cpu.busyFraction(), 1e-9);
    }

    @Test
    void noTimeCountedOrNoFileMeansUnknown() throws Exception {
        Path f = stat("cpu  100 0 50 800 50 0 0 0 0 0");
        MachineCpu cpu = new MachineCpu(f);
        assertEquals(-1, cpu.busyFraction(), "no tick since the last look");
        MachineCpu missing = new MachineCpu(dir.resolve("absent"));
        assertFalse(missing.readable());
        assertEquals(-1, missing.busyFraction());
        Files.writeString(f, "intr 1 2 3\n");
        assertFalse(new MachineCpu(f).readable(), "a file without the aggregate cpu line");
        Files.writeString(f, "cpu  1 x 3 4\n");
        assertFalse(new MachineCpu(f).readable(), "a counter that is not a number");
    }

    @Test
    void theRealCountersShowAThreadThatSpins() throws Exception {
        MachineCpu cpu = new MachineCpu(MachineCpu.PROC_STAT);
        assertTrue(cpu.readable(), "/proc/stat is readable on Linux");
        long end = System.nanoTime() + 300_000_000L;
        long x = 0;
        while (System.nanoTime() < end) {
            x += System.nanoTime() & 1;
        }
        double busy = cpu.busyFraction();
        int cores = Runtime.getRuntime().availableProcessors();
        // one spinning thread out of `cores` at least, give or take other work and tick granularity
        assertTrue(busy >= 0.5 / cores && busy <= 1, "busy fraction " + busy + " with one thread spinning (" + x + ")");
    }
}
