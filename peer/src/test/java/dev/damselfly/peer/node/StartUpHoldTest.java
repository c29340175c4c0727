package dev.damselfly.peer.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's optional start-up work waits for its downloads, and for busy CPUs up to a limit. */
class StartUpHoldTest {
    @TempDir
    Path dir;

    private final AtomicLong idle = new AtomicLong(1000);
    private final AtomicLong busy = new AtomicLong(1000);
    private final AtomicLong now = new AtomicLong(0);

    /** Advances the fake counters: {@code busyTicks} busy and {@code idleTicks} idle. */
    private void tick(long busyTicks, long idleTicks) throws Exception {
        busy.addAndGet(busyTicks);
        idle.addAndGet(idleTicks);
        write();
    }

    private Path write() throws Exception {
        Path f = dir.resolve("stat");
        Files.writeString(f, "cpu  " + busy.get() + " 0 0 " + idle.get() + " 0 0 0 0 0 0\n");
        return f;
    }

    private StartUpHold hold(AtomicBoolean downloading) throws Exception {
        return new StartUpHold(downloading::get, new MachineCpu(write()), now::get);
    }

    @Test
    void theFirstLookWaitsThenAnIdleMachineLetsTheWorkGo() throws Exception {
        StartUpHold hold = hold(new AtomicBoolean(false));
        assertTrue(hold.getAsBoolean(), "no load is known at the first look");
        tick(10, 90);
        assertFalse(hold.getAsBoolean(), "10% busy");
    }

    @Test
    void busyCpusHoldTheWorkUntilTheLimit() throws Exception {
        StartUpHold hold = hold(new AtomicBoolean(false));
        hold.getAsBoolean();
        tick(60, 40);
        assertTrue(hold.getAsBoolean(), "60% busy");
        tick(100, 0);
        now.set(StartUpHold.MAX_CPU_HOLD_NANOS - 1);
        assertTrue(hold.getAsBoolean(), "still busy, within the limit");
        tick(100, 0);
        now.set(StartUpHold.MAX_CPU_HOLD_NANOS);
        assertFalse(hold.getAsBoolean(), "busy, but the limit is reached: the work goes on");
    }

    @Test
    void downloadsHoldTheWorkWithoutALimit() throws Exception {
        AtomicBoolean downloading = new AtomicBoolean(true);
        StartUpHold hold = hold(downloading);
        tick(0, 100);
        now.set(10 * StartUpHold.MAX_CPU_HOLD_NANOS);
        assertTrue(hold.getAsBoolean(), "idle CPUs, but the node downloads");
        downloading.set(false);
        tick(0, 100);
        assertFalse(hold.getAsBoolean(), "downloads over, CPUs idle");
    }

    @Test
    void withoutCountersOnlyDownloadsHold() {
        AtomicBoolean downloading = new AtomicBoolean(false);
        StartUpHold hold = new StartUpHold(downloading::get, new MachineCpu(dir.resolve("absent")), now::get);
        assertFalse(hold.getAsBoolean(), "no /proc/stat: nothing to wait for");
        downloading.set(true);
        assertTrue(hold.getAsBoolean());
    }
}
