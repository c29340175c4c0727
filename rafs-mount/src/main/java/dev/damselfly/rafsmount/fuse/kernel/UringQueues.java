package dev.damselfly.rafsmount.fuse.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The FUSE-over-io_uring side of one mount: a {@link UringWorkers} pool per kernel queue. The kernel keeps one
 * queue per possible CPU and switches the mount from {@code /dev/fuse} to the rings only once every queue has a
 * registered entry; until then (and for FORGET and INTERRUPT always) requests keep coming through
 * {@link KernelWorkers}.
 */
final class UringQueues {
    /** Where the kernel lists the possible CPUs ({@code num_possible_cpus()}: one FUSE queue each). */
    private static final Path POSSIBLE_CPUS = Path.of("/sys/devices/system/cpu/possible");
    /** Fewest workers (ring entries) one queue may grow to, threads. */
    static final int MIN_WORKERS_PER_QUEUE = 4;

    private final List<UringWorkers> pools;
    private final CompletableFuture<Void> ended;

    private UringQueues(List<UringWorkers> pools) {
        this.pools = pools;
        this.ended = CompletableFuture.allOf(pools.stream().map(UringWorkers::ended).toArray(CompletableFuture[]::new));
    }

    /**
     * Starts one worker per queue; each queue grows to {@code max(MIN_WORKERS_PER_QUEUE, maxWorkers / queues)}.
     *
     * @param queues the kernel's queue count ({@link #possibleCpus()})
     */
    static UringQueues start(DevFuse device, RafsRequests requests, int queues, int maxWorkers, String label,
                             Runnable onFatal) {
        int perQueue = Math.max(MIN_WORKERS_PER_QUEUE, maxWorkers / queues);
        List<UringWorkers> pools = new ArrayList<>(queues);
        for (int q = 0; q < queues; q++) {
            pools.add(new UringWorkers(device, requests, q, perQueue, label, onFatal));
        }
        pools.forEach(UringWorkers::start);
        return new UringQueues(pools);
    }

    /** Completes when every queue's last worker has left (the connection ended). */
    CompletableFuture<Void> ended() {
        return ended;
    }

    /** Workers started so far over all queues, threads. */
    int started() {
        return pools.stream().mapToInt(UringWorkers::started).sum();
    }

    /** Requests answered through the rings so far. */
    long handled() {
        return pools.stream().mapToLong(UringWorkers::handled).sum();
    }

    /** How many CPUs the kernel counts as possible, from {@code /sys/devices/system/cpu/possible} (e.g. "0-3,6"). */
    static int possibleCpus() throws IOException {
        return countCpus(Files.readString(POSSIBLE_CPUS).trim());
    }

    /** The number of CPUs in a kernel CPU list such as {@code 0-3,6,8-9}. */
    static int countCpus(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int dash = part.indexOf('-');
            n += dash < 0 ? 1 : Integer.parseInt(part.substring(dash + 1).trim()) - Integer.parseInt(part.substring(0, dash).trim()) + 1;
        }
        return n;
    }
}
