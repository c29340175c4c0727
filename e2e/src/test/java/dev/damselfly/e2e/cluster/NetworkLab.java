package dev.damselfly.e2e.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lab: a Linux bridge with an address on a private /24 (so the root namespace, where the test runs, reaches every
 * host) and one network namespace per host, joined to the bridge by a veth pair whose namespace end is {@code eth0}.
 * {@link #limit} puts a {@code tc tbf} on both ends: the bridge-side end limits what the host downloads, the
 * namespace end what it uploads.
 *
 * <p>Every name carries a random lab id ({@code dml-ID-HOST} for namespaces, {@code dmID…} for links), recorded with
 * the owning JVM's pid in {@link #STATE_DIR}. {@link #close()} kills every process started here and removes every
 * namespace and link; a JVM shutdown hook calls it too, and {@link #create()} first removes whatever labs of dead
 * JVMs left behind. Needs root and {@code ip}/{@code tc} (iproute2).
 */
final class NetworkLab implements AutoCloseable {
    /** Where each live lab records {@code ID → owner pid}: {@value}. */
    static final String STATE_DIR = "/run/damselfly-lab";
    /** Prefix of every namespace a lab creates: {@value}. */
    static final String NAMESPACE_PREFIX = "dml-";
    /**
     * Prefix of the name of every mount point a lab's processes mount on ({@code dml-mnt-ID-HOST}, see
     * {@link #mountpoint}); whatever is still mounted there is lazily unmounted when the lab is removed: {@value}.
     */
    static final String MOUNT_PREFIX = "dml-mnt-";
    /** Prefix of every link (bridge, veth) a lab creates: {@value}. */
    static final String LINK_PREFIX = "dm";
    /** Subnets are 10.77.X.0/24 with X picked free at start. */
    static final String SUBNET_PREFIX = "10.77.";
    /** tbf latency (queue bound): 100 ms. */
    static final int TBF_LATENCY_MS = 100;
    /** tbf burst floor: 64 KiB (above that, 20 ms worth of the rate). */
    static final long TBF_MIN_BURST_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(NetworkLab.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id;
    private final String subnet;
    private final String bridge;
    private final List<Host> hosts = new CopyOnWriteArrayList<>();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;
    private volatile boolean closed;

    /** One lab host: its namespace, its address on the lab subnet, and the bridge-side end of its veth. */
    record Host(String name, String namespace, String ip, String hostVeth) {
        @Override
        public String toString() {
            return name + "(" + ip + ")";
        }
    }

    private NetworkLab(String id, String subnet) {
        this.id = id;
        this.subnet = subnet;
        this.bridge = LINK_PREFIX + id + "b";
        this.shutdownHook = new Thread(this::closeQuietly, "network-lab-" + id + "-cleanup");
    }

    /**
     * Removes leftovers of dead labs, then creates the bridge of a new lab.
     *
     * @throws LabException when not root or {@code ip}/{@code tc} are missing (a clear message, never a skip)
     */
    static NetworkLab create() {
        requireTools();
        removeLeftovers();
        String id = HexFormat.of().formatHex(randomBytes(3)).substring(0, 5);
        String used = Shell.run("ip", "-o", "-4", "addr", "show");
        int octet;
        do {
            octet = 1 + RANDOM.nextInt(254);
        } while (used.contains(SUBNET_PREFIX + octet + "."));
        NetworkLab lab = new NetworkLab(id, SUBNET_PREFIX + octet + ".");
        try {
            Files.createDirectories(Path.of(STATE_DIR));
            Files.writeString(Path.of(STATE_DIR, id), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
            Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
            Shell.run("ip", "link", "add", lab.bridge, "type", "bridge");
            Shell.run("ip", "addr", "add", lab.gatewayIp() + "/24", "dev", lab.bridge);
            Shell.run("ip", "link", "set", lab.bridge, "up");
        } catch (IOException | RuntimeException e) {
            lab.closeQuietly();
            throw new LabException("cannot create lab " + id + ": " + e.getMessage(), e);
        }
        LOG.info("lab created lab={} bridge={} subnet={}0/24", id, lab.bridge, lab.subnet);
        return lab;
    }

    /** Fails with a clear message unless this JVM runs as root and iproute2 is installed. */
    static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "tc", "curl", "openssl", "bash")) {
            if (Shell.tryRun("sh", "-c", "command -v " + tool).exitCode() != 0) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new LabException("the cluster lab needs " + missing + " on PATH (Debian: iproute2, curl, coreutils)");
        }
        String uid = Shell.run("id", "-u").trim();
        if (!uid.equals("0")) {
            throw new LabException("the cluster lab needs root (network namespaces, veth, tc); running as uid " + uid);
        }
    }

    /** The lab's random id (5 hex digits). */
    String id() {
        return id;
    }

    /** The bridge's address: how the root namespace reaches the lab, e.g. 10.77.12.1. */
    String gatewayIp() {
        return subnet + "1";
    }

    /**
     * Creates a namespace for the host with {@code lo} and {@code eth0} up and the next free address
     * (10.77.X.2, .3, …).
     */
    synchronized Host addHost(String name) {
        if (!name.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("host name must be 1-12 of [a-z0-9]: " + name);
        }
        int index = hosts.size() + 2;
        if (index > 250) {
            throw new LabException("lab " + id + " is full (248 hosts)");
        }
        Host host = new Host(name, NAMESPACE_PREFIX + id + "-" + name, subnet + index, LINK_PREFIX + id + "h" + index);
        String peerEnd = LINK_PREFIX + id + "n" + index;
        Shell.run("ip", "netns", "add", host.namespace());
        hosts.add(host);
        Shell.run("ip", "link", "add", host.hostVeth(), "type", "veth", "peer", "name", peerEnd, "netns", host.namespace());
        Shell.run("ip", "link", "set", host.hostVeth(), "master", bridge, "up");
        Shell.run("ip", "-n", host.namespace(), "link", "set", peerEnd, "name", "eth0");
        Shell.run("ip", "-n", host.namespace(), "addr", "add", host.ip() + "/24", "dev", "eth0");
        Shell.run("ip", "-n", host.namespace(), "link", "set", "eth0", "up");
        Shell.run("ip", "-n", host.namespace(), "link", "set", "lo", "up");
        LOG.info("lab host added lab={} host={} ns={} ip={}", id, name, host.namespace(), host.ip());
        return host;
    }

    /**
     * Limits the host's link with tbf on both ends (replacing earlier limits).
     *
     * @param upMbit   what the host may send, Mbit/s (10^6 bit/s); 0 = unlimited
     * @param downMbit what the host may receive, Mbit/s; 0 = unlimited
     */
    void limit(Host host, double upMbit, double downMbit) {
        shape(List.of("ip", "netns", "exec", host.namespace(), "tc"), "eth0", upMbit);
        shape(List.of("tc"), host.hostVeth(), downMbit);
        LOG.info("lab link limited lab={} host={} up_mbit={} down_mbit={}", id, host.name(), upMbit, downMbit);
    }

    private static void shape(List<String> tc, String dev, double mbit) {
        List<String> del = new ArrayList<>(tc);
        del.addAll(List.of("qdisc", "del", "dev", dev, "root"));
        Shell.tryRun(del);
        if (mbit <= 0) {
            return;
        }
        long rateBits = Math.round(mbit * 1_000_000);
        long burst = Math.max(TBF_MIN_BURST_BYTES, rateBits / 8 / 50);
        List<String> add = new ArrayList<>(tc);
        add.addAll(List.of("qdisc", "add", "dev", dev, "root", "tbf", "rate", rateBits + "bit", "burst", Long.toString(burst),
                "latency", TBF_LATENCY_MS + "ms"));
        Shell.run(add);
    }

    /** Takes the host's link down (a cut cable: nothing in or out) or back up. */
    void setLink(Host host, boolean up) {
        Shell.run("ip", "link", "set", host.hostVeth(), up ? "up" : "down");
        LOG.info("lab link {} lab={} host={}", up ? "up" : "down", id, host.name());
    }

    /** The command prefixed to run inside the host's namespace. */
    List<String> inside(Host host, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(command);
        return full;
    }

    /**
     * Starts a long-running command inside the host's namespace ({@code ip netns exec} execs it, so the process is
     * the command itself); stderr goes to the file, stdout is left for the caller. Killed by {@link #close()}.
     */
    Process spawn(Host host, List<String> command, Path stderr) throws IOException {
        if (closed) {
            throw new LabException("lab " + id + " is closed; cannot start " + command + " on " + host);
        }
        Process process = new ProcessBuilder(inside(host, command)).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        processes.add(process);
        processes.removeIf(p -> !p.isAlive() && p != process);
        return process;
    }

    /**
     * Starts a long-running command that joins only the host's network namespace ({@code nsenter --net}), staying
     * in the root mount namespace: what it mounts (a FUSE mount) is visible to every process on the machine, unlike
     * under {@code ip netns exec}, which gives each command a private mount namespace. Stdout is left for the
     * caller; killed by {@link #close()}.
     */
    Process spawnNetworkOnly(Host host, List<String> command, Path stderr) throws IOException {
        if (closed) {
            throw new LabException("lab " + id + " is closed; cannot start " + command + " on " + host);
        }
        List<String> full = new ArrayList<>(List.of("nsenter", "--net=/run/netns/" + host.namespace(), "--"));
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        processes.add(process);
        processes.removeIf(p -> !p.isAlive() && p != process);
        return process;
    }

    /**
     * A mount point for the host under {@code parent}, named {@code dml-mnt-ID-HOST} (created): anything mounted
     * there is unmounted by {@link #close()} (or by the next lab's leftover sweep if this JVM dies).
     */
    Path mountpoint(Path parent, Host host) throws IOException {
        return Files.createDirectories(parent.resolve(MOUNT_PREFIX + id + "-" + host.name()));
    }

    /** Kills every process, removes every namespace and the bridge, forgets the lab. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmountAll(id);
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        removeLab(id);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // called from the hook itself
        }
        LOG.info("lab removed lab={} hosts={}", id, hosts.size());
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("lab clean-up failed lab={} error={}", id, e.toString());
        }
    }

    /** Removes the namespaces, links and state file of every lab whose owner JVM is gone, and unowned namespaces. */
    static void removeLeftovers() {
        Path dir = Path.of(STATE_DIR);
        List<String> live = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    String labId = f.getFileName().toString();
                    long pid = parsePid(f);
                    if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        live.add(labId);
                    } else {
                        LOG.info("lab leftover removed lab={} owner_pid={}", labId, pid);
                        removeLab(labId);
                    }
                }
            } catch (IOException e) {
                throw new LabException("cannot list " + dir, e);
            }
        }
        for (String ns : namespaces()) {
            if (ns.startsWith(NAMESPACE_PREFIX)) {
                String labId = ns.substring(NAMESPACE_PREFIX.length()).split("-", 2)[0];
                if (!live.contains(labId)) {
                    LOG.info("lab leftover removed lab={} namespace={}", labId, ns);
                    removeLab(labId);
                }
            }
        }
    }

    private static long parsePid(Path f) {
        try {
            return Long.parseLong(Files.readString(f).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static List<String> namespaces() {
        List<String> names = new ArrayList<>();
        for (String line : Shell.run("ip", "netns", "list").split("\n")) {
            if (!line.isBlank()) {
                names.add(line.trim().split(" ")[0]);
            }
        }
        return names;
    }

    /**
     * Lazily unmounts ({@code umount -l}: works on a dead FUSE endpoint too) every mount whose mount point's name
     * starts with {@code dml-mnt-LABID-}; the mount processes then see their unmount and exit.
     */
    static void unmountAll(String labId) {
        String marker = "/" + MOUNT_PREFIX + labId + "-";
        List<String> points = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].contains(marker)) {
                    points.add(f[4].replace("\\040", " "));
                }
            }
        } catch (IOException e) {
            LOG.warn("lab mounts not listed lab={} error={}", labId, e.toString());
            return;
        }
        for (String point : points) {
            Shell.Result r = Shell.tryRun("umount", "-l", point);
            LOG.info("lab mount removed lab={} mountpoint={} exit={}", labId, point, r.exitCode());
        }
    }

    /** Kills what runs in the lab's namespaces, deletes them and the lab's links and state file. */
    private static void removeLab(String labId) {
        unmountAll(labId);
        for (String ns : namespaces()) {
            if (ns.startsWith(NAMESPACE_PREFIX + labId + "-")) {
                for (String pid : Shell.tryRun("ip", "netns", "pids", ns).stdout().split("\\s+")) {
                    if (pid.matches("\\d+")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                Shell.tryRun("ip", "netns", "del", ns);
            }
        }
        for (String line : Shell.run("ip", "-o", "link", "show").split("\n")) {
            String[] fields = line.split(":\\s+");
            if (fields.length > 1) {
                String name = fields[1].split("@")[0].trim();
                if (name.startsWith(LINK_PREFIX + labId)) {
                    Shell.tryRun("ip", "link", "del", name);
                }
            }
        }
        try {
            Files.deleteIfExists(Path.of(STATE_DIR, labId));
        } catch (IOException e) {
            LOG.warn("lab state file not removed lab={} error={}", labId, e.toString());
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
