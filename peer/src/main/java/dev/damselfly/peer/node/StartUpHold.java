package dev.damselfly.peer.node;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Whether a node's optional start-up work (the mount warm-up) should wait: while the node downloads, always; while
 * the machine's CPUs are at least {@value #BUSY_FRACTION} busy (containerd unpacking what the node just served, a
 * node start's own class loading and compiling), for up to {@link #MAX_CPU_HOLD_NANOS} in all, so that a machine
 * that is never idle still gets the warm-up. The first answer is "wait": the CPU load needs one interval between two
 * looks before it tells anything. Meant to be asked by one thread every few hundred milliseconds.
 */
final class StartUpHold implements BooleanSupplier {
    /** CPU busy fraction of the whole machine at or above which the work waits: 0.5 (half of all cores). */
    static final double BUSY_FRACTION = 0.5;
    /** Longest the work waits for the CPUs, in total, ns: 60 s (downloads hold it without a limit). */
    static final long MAX_CPU_HOLD_NANOS = 60_000_000_000L;

    private final BooleanSupplier downloading;
    private final MachineCpu cpu;
    private final LongSupplier nanoTime;
    private final long start;
    private boolean firstLook = true;

    /**
     * @param downloading whether the node has downloads under way
     * @param cpu         the machine's CPU load, looked at on each call
     * @param nanoTime    the clock (System::nanoTime)
     */
    StartUpHold(BooleanSupplier downloading, MachineCpu cpu, LongSupplier nanoTime) {
        this.downloading = downloading;
        this.cpu = cpu;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
    }

    /** A hold on the node's downloads and this machine's {@code /proc/stat}. */
    static StartUpHold of(BooleanSupplier downloading) {
        return new StartUpHold(downloading, new MachineCpu(MachineCpu.PROC_STAT), System::nanoTime);
    }

    /** True while the start-up work should wait. */
    @Override
    public boolean getAsBoolean() {
        double busy = cpu.busyFraction(); // every call, so that each answer covers the last interval only
        boolean first = firstLook;
        firstLook = false;
        if (downloading.getAsBoolean()) {
            return true;
        }
        if (first) {
            return cpu.readable(); // no load known yet; when it can never be known (not Linux), no reason to wait
        }
        return busy >= BUSY_FRACTION && nanoTime.getAsLong() - start < MAX_CPU_HOLD_NANOS;
    }
}
