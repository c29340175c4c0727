package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went during a scenario: CPU seconds of the node JVMs (and of their JIT compiler threads),
 * of the scheduler and the registry, and of the clients ({@code curl | openssl} run by this JVM and waited for, so
 * counted in its children's times), from {@code /proc/PID/stat} read before and after. The rest of the busy time is
 * the kernel's work not charged to these processes (mostly the lab links' soft interrupts). A process that exited
 * between the readings (a node killed in S3) is left out.
 */
final class LabCpu {
    /** Clock ticks per second of {@code /proc/PID/stat} times (USER_HZ; 100 on Linux/x86). */
    static final double TICKS_PER_SECOND = 100.0;

    private final Map<Long, long[]> nodes;
    private final long[] scheduler;
    private final long[] registry;
    private final long clientTicks;

    private LabCpu(Map<Long, long[]> nodes, long[] scheduler, long[] registry, long clientTicks) {
        this.nodes = nodes;
        this.scheduler = scheduler;
        this.registry = registry;
        this.clientTicks = clientTicks;
    }

    /** A reading of the cluster's processes now. */
    static LabCpu read(Cluster c) {
        Map<Long, long[]> nodes = new HashMap<>();
        for (LabNode n : c.nodes()) {
            long pid = n.pid();
            if (pid > 0) {
                nodes.put(pid, ticks(pid));
            }
        }
        long[] self = ticks(ProcessHandle.current().pid());
        return new LabCpu(nodes, ticks(c.schedulerPid()), ticks(c.registry().pid()), self[2]);
    }

    /**
     * A note such as "CPU seconds during the pulls: node JVMs 151.2 (JIT compilers 40.3), clients (curl | openssl)
     * 27.0, registry 3.1, scheduler 1.0", or "" when nothing could be read.
     */
    String since(LabCpu before) {
        double node = 0;
        double jit = 0;
        for (Map.Entry<Long, long[]> e : nodes.entrySet()) {
            long[] b = before.nodes.get(e.getKey());
            if (b != null && b[0] >= 0 && e.getValue()[0] >= 0) {
                node += (e.getValue()[0] - b[0]) / TICKS_PER_SECOND;
                jit += (e.getValue()[1] - b[1]) / TICKS_PER_SECOND;
            }
        }
        if (node == 0) {
            return "";
        }
        return String.format("CPU seconds during the pulls: node JVMs %.1f (their JIT compiler threads %.1f), clients "
                        + "(curl | openssl) %.1f, registry %.1f, scheduler %.1f", node, jit,
                (clientTicks - before.clientTicks) / TICKS_PER_SECOND, delta(registry, before.registry),
                delta(scheduler, before.scheduler));
    }

    private static double delta(long[] now, long[] before) {
        return now[0] < 0 || before[0] < 0 ? 0 : (now[0] - before[0]) / TICKS_PER_SECOND;
    }

    /** {utime + stime, JIT compiler threads' utime + stime, cutime + cstime} of a process; −1s when unreadable. */
    static long[] ticks(long pid) {
        long[] own = statTicks(Path.of("/proc", Long.toString(pid), "stat"));
        if (own[0] < 0) {
            return new long[] {-1, -1, -1};
        }
        long jit = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException e) {
                    continue; // the thread ended
                }
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    long[] t = statTicks(task.resolve("stat"));
                    jit += Math.max(0, t[0]);
                }
            }
        } catch (IOException e) {
            jit = 0;
        }
        return new long[] {own[0], jit, own[1]};
    }

    /** {utime + stime, cutime + cstime} from a {@code stat} file (fields 14–17), or {−1, −1}. */
    static long[] statTicks(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17
            return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }
}
