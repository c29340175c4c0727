package dev.damselfly.scheduler.client.host;

import dev.damselfly.scheduler.proto.common.v2.Build;
import dev.damselfly.scheduler.proto.common.v2.CPU;
import dev.damselfly.scheduler.proto.common.v2.Disk;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Memory;
import dev.damselfly.scheduler.proto.common.v2.Network;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Builds the {@code common.v2.Host} announced to schedulers, with live facts: CPU load (JVM
 * OperatingSystemMXBean), memory ({@code /proc/meminfo}), the data directory's file system, TCP
 * connection counts ({@code /proc/net/tcp*}), OS release and kernel version. Missing facts are sent as
 * zero, never as invalid values. Thread-safe.
 */
public final class HostFactsCollector {
    private final HostIdentity identity;
    private final Supplier<OptionalLong> txBandwidthBps;
    private final Path procRoot;

    /**
     * @param identity the static identity
     * @param txBandwidthBps current upload rate in bits per second when the upload side measures it
     *        (empty = not reported)
     */
    public HostFactsCollector(HostIdentity identity, Supplier<OptionalLong> txBandwidthBps) {
        this(identity, txBandwidthBps, Path.of("/proc"));
    }

    HostFactsCollector(HostIdentity identity, Supplier<OptionalLong> txBandwidthBps, Path procRoot) {
        this.identity = identity;
        this.txBandwidthBps = txBandwidthBps;
        this.procRoot = procRoot;
    }

    public HostIdentity identity() {
        return identity;
    }

    /** A fresh Host message. */
    public Host collect() {
        Map<String, String> osRelease = osRelease();
        Host.Builder h = Host.newBuilder()
                .setId(identity.hostId())
                .setType(identity.hostType())
                .setHostname(identity.hostname())
                .setIp(identity.ip())
                .setPort(identity.grpcPort())
                .setDownloadPort(identity.grpcPort())
                .setProxyPort(identity.proxyPort())
                .setOs(System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT))
                .setPlatform(osRelease.getOrDefault("ID", ""))
                .setPlatformFamily(osRelease.getOrDefault("ID_LIKE", osRelease.getOrDefault("ID", "")))
                .setPlatformVersion(osRelease.getOrDefault("VERSION_ID", ""))
                .setKernelVersion(readFirstLine(procRoot.resolve("sys/kernel/osrelease")))
                .setCpu(cpu())
                .setMemory(memory())
                .setNetwork(network())
                .setDisk(disk())
                .setBuild(Build.newBuilder().setGitVersion(identity.version())
                        .setPlatform(System.getProperty("os.arch", "")))
                .setSchedulerClusterId(identity.schedulerClusterId())
                .setDisableShared(identity.disableShared())
                .setName(identity.name());
        return h.build();
    }

    private CPU cpu() {
        CPU.Builder c = CPU.newBuilder().setLogicalCount(Runtime.getRuntime().availableProcessors());
        c.setPhysicalCount(physicalCores());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            c.setPercent(percent(os.getCpuLoad() * 100));
            c.setProcessPercent(percent(os.getProcessCpuLoad() * 100));
        }
        return c.build();
    }

    private int physicalCores() {
        try {
            List<String> lines = Files.readAllLines(procRoot.resolve("cpuinfo"));
            long n = lines.stream().filter(l -> l.startsWith("core id")).distinct().count();
            return n > 0 ? (int) n : Runtime.getRuntime().availableProcessors();
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    private Memory memory() {
        Map<String, Long> info = meminfo();
        long total = info.getOrDefault("MemTotal", 0L);
        long free = info.getOrDefault("MemFree", 0L);
        long available = info.getOrDefault("MemAvailable", free);
        if (total == 0 && ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
            free = os.getFreeMemorySize();
            available = free;
        }
        long used = Math.max(0, total - available);
        long rss = Runtime.getRuntime().totalMemory();
        return Memory.newBuilder().setTotal(total).setAvailable(available).setUsed(used).setFree(free)
                .setUsedPercent(total == 0 ? 0 : percent(used * 100.0 / total))
                .setProcessUsedPercent(total == 0 ? 0 : percent(rss * 100.0 / total))
                .build();
    }

    private Map<String, Long> meminfo() {
        Map<String, Long> m = new HashMap<>();
        try {
            for (String line : Files.readAllLines(procRoot.resolve("meminfo"))) {
                String[] parts = line.split("[:\\s]+");
                if (parts.length >= 2) {
                    long v = Long.parseLong(parts[1]);
                    m.put(parts[0], parts.length >= 3 && parts[2].equals("kB") ? v * 1024 : v);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall back to the MXBean
        }
        return m;
    }

    private Network network() {
        Network.Builder n = Network.newBuilder()
                .setMaxTxBandwidth(identity.maxTxBandwidthBps())
                .setMaxRxBandwidth(identity.maxRxBandwidthBps());
        identity.location().filter(s -> !s.isEmpty()).ifPresent(n::setLocation);
        identity.idc().filter(s -> !s.isEmpty()).ifPresent(n::setIdc);
        int[] counts = tcpConnections(identity.grpcPort());
        n.setTcpConnectionCount(counts[0]).setUploadTcpConnectionCount(counts[1]);
        OptionalLong tx = txBandwidthBps.get();
        if (tx.isPresent()) {
            n.setTxBandwidth(tx.getAsLong());
        }
        return n.build();
    }

    /** [established connections, established connections on the upload port]. */
    private int[] tcpConnections(int uploadPort) {
        int total = 0;
        int upload = 0;
        for (String f : List.of("net/tcp", "net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(procRoot.resolve(f));
                for (int i = 1; i < lines.size(); i++) {
                    String[] cols = lines.get(i).trim().split("\\s+");
                    if (cols.length > 3 && cols[3].equals("01")) {
                        total++;
                        String local = cols[1];
                        int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                        if (port == uploadPort) {
                            upload++;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // absent on non-Linux systems
            }
        }
        return new int[] {total, upload};
    }

    private Disk disk() {
        try {
            Path dir = identity.dataDir();
            while (dir != null && !Files.exists(dir)) {
                dir = dir.getParent();
            }
            if (dir == null) {
                return Disk.getDefaultInstance();
            }
            FileStore fs = Files.getFileStore(dir);
            long total = fs.getTotalSpace();
            long free = fs.getUsableSpace();
            long used = Math.max(0, total - fs.getUnallocatedSpace());
            return Disk.newBuilder().setTotal(total).setFree(free).setUsed(used)
                    .setUsedPercent(total == 0 ? 0 : percent(used * 100.0 / total)).build();
        } catch (IOException e) {
            return Disk.getDefaultInstance();
        }
    }

    private Map<String, String> osRelease() {
        Map<String, String> m = new HashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    m.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return m;
    }

    private static String readFirstLine(Path p) {
        try {
            List<String> lines = Files.readAllLines(p);
            return lines.isEmpty() ? "" : lines.get(0).trim();
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.version", "");
        }
    }

    private static double percent(double v) {
        if (Double.isNaN(v) || v < 0) {
            return 0;
        }
        return Math.min(100, v);
    }
}
