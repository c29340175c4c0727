package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code damselfly node} inside a lab namespace on the node contract's default ports (4000–4005), every listener
 * on the namespace's lab address, a standalone scheduler, the lab registry as its only mirrored registry. The data
 * directory survives {@link #killAndRestart()} (SIGKILL, then the same command again). With the system property
 * {@code cluster.verbose=true} nodes log at DEBUG ({@code damselfly -v node}).
 */
final class LabNode {
    /** How long a node may take to print its ready line: 90 s (JVM start on a busy 2-core machine). */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    /** Registry-mirror port (node contract): {@value}. */
    static final int PROXY_PORT = 4001;
    /** Prometheus port (node contract): {@value}. */
    static final int METRICS_PORT = 4002;
    /** Admin API port (node contract): {@value}. */
    static final int ADMIN_PORT = 4004;

    private static final Logger LOG = LoggerFactory.getLogger(LabNode.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final NetworkLab lab;
    private final NetworkLab.Host host;
    private final Path dir;
    private final List<String> command;
    private volatile LabProcess process;
    /**
     * The C2 thresholds the launcher ({@code JIT_DEFAULTS} in {@code ./damselfly}) and the container image
     * ({@code JDK_JAVA_OPTIONS}) give a node; LabNodeTest and DockerfileTest keep the three in step.
     */
    static final List<String> JIT_OPTIONS = List.of("-XX:Tier4InvocationThreshold=40000",
            "-XX:Tier4CompileThreshold=50000", "-XX:Tier4BackEdgeThreshold=200000");
    private volatile int starts;
    private volatile boolean restarting;

    private LabNode(NetworkLab lab, NetworkLab.Host host, Path dir, List<String> command) {
        this.lab = lab;
        this.host = host;
        this.dir = dir;
        this.command = command;
    }

    /**
     * Starts the node and waits for its ready line.
     *
     * @param jar        the damselfly fat jar (a private copy: other builds may replace the original mid-run)
     * @param uploadMbit announced upload bandwidth, Mbit/s (host.uploadBandwidth)
     * @param extra      further {@code key=value} settings (e.g. {@code upload.testCorruptRatio=0.01})
     */
    static LabNode start(NetworkLab lab, NetworkLab.Host host, Path work, Path jar, String schedulerAddress,
                         String registryHostPort, long uploadMbit, List<String> extra) throws IOException {
        Path dir = Files.createDirectories(work.resolve(host.name()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("-jar", jar.toString()));
        if (Boolean.getBoolean("cluster.verbose")) {
            cmd.add("-v");
        }
        cmd.addAll(List.of("node", "--data-dir", dir.resolve("data").toString()));
        String ip = host.ip();
        List<String> sets = new ArrayList<>(List.of("host.ip=" + ip, "host.hostname=" + host.name(),
                "host.uploadBandwidth=" + uploadMbit + "Mbit",
                "upload.listen=" + ip, "scheduler.addresses=[" + schedulerAddress + "]",
                "proxy.listen=" + ip, "metrics.listen=" + ip, "health.listen=" + ip, "admin.listen=" + ip,
                "proxy.registries=[{name: \"" + registryHostPort + "\", url: \"http://" + registryHostPort + "\"}]",
                "proxy.defaultRegistry=" + registryHostPort));
        // further settings for every node of a benchmark run (e.g. an A/B of one key): -Dcluster.nodeSettings=k=v;k=v
        for (String kv : System.getProperty("cluster.nodeSettings", "").split(";")) {
            if (!kv.isBlank()) {
                sets.add(kv.strip());
            }
        }
        sets.addAll(extra);
        for (String s : sets) {
            cmd.add("--set");
            cmd.add(s);
        }
        LabNode node = new LabNode(lab, host, dir, List.copyOf(cmd));
        node.launch();
        return node;
    }

    /**
     * The nodes' JVM options: {@link #JIT_OPTIONS}, or the blank-separated options of {@code cluster.nodeJvmOptions}
     * instead when set (an A/B of JVM options; {@code -XX:Tier4InvocationThreshold=5000} gives the JVM's own C2
     * thresholds).
     */
    static List<String> jvmOptions() {
        String configured = System.getProperty("cluster.nodeJvmOptions");
        return configured == null ? JIT_OPTIONS : List.of(configured.strip().split("\\s+"));
    }

    static Path jar() {
        String configured = System.getProperty("damselfly.jar", "peer/target/damselfly.jar");
        Path jar = Path.of(configured);
        if (!Files.isRegularFile(jar)) {
            throw new LabException("damselfly.jar not built at " + jar.toAbsolutePath()
                    + " (cd /work/main && mvn -B -o -q -pl peer -am install -DskipTests)");
        }
        return jar.toAbsolutePath();
    }

    private synchronized void launch() throws IOException {
        starts++;
        LabProcess p = LabProcess.start(lab, host, "node-" + host.name(), command, dir.resolve("node-" + starts + ".err"),
                "node ready ", null);
        String ready = p.awaitReady(READY_TIMEOUT);
        process = p;
        LOG.info("lab node ready host={} start={} line={}", host.name(), starts, ready);
    }

    /** SIGKILL (no clean-up by the node), then starts it again on the same data directory and waits until ready. */
    synchronized void killAndRestart() throws IOException {
        restarting = true;
        try {
            process.kill();
            LOG.info("lab node killed host={} start={}", host.name(), starts);
            launch();
        } finally {
            restarting = false;
        }
    }

    /** Whether {@link #killAndRestart()} is under way (killed, not ready again yet). */
    boolean restarting() {
        return restarting;
    }

    /** The current process's id, or −1 before the first start. */
    long pid() {
        LabProcess p = process;
        return p == null ? -1 : p.pid();
    }

    /** Whether the current process is running. */
    boolean alive() {
        LabProcess p = process;
        return p != null && p.alive();
    }

    /** How many times the node was started (1 + restarts). */
    int starts() {
        return starts;
    }

    NetworkLab.Host host() {
        return host;
    }

    String name() {
        return host.name();
    }

    /** The host id the node announces: {@code IP-HOSTNAME}. */
    String hostId() {
        return host.ip() + "-" + host.name();
    }

    /** The mirror URL of a blob, containerd-style ({@code ?ns=} names the upstream registry). */
    String blobUrl(String registryHostPort, String repo, String digest) {
        return "http://" + host.ip() + ":" + PROXY_PORT + "/v2/" + repo + "/blobs/" + digest + "?ns=" + registryHostPort;
    }

    /** GET on the admin API, e.g. {@code /api/v1/peers}; the body. */
    String admin(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.ip() + ":" + ADMIN_PORT + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A Prometheus series' value on the node's {@code /metrics} (0 when absent), e.g. {@code dragonfly_client_upload_traffic}. */
    double metric(String series) throws IOException, InterruptedException {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host.ip() + ":" + METRICS_PORT + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                sum += Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return sum;
    }

    /** Every log this node wrote (all starts), concatenated. */
    String log() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= starts; i++) {
            Path f = dir.resolve("node-" + i + ".err");
            if (Files.exists(f)) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    /** SIGTERM, SIGKILL after 5 s. */
    void stop() {
        LabProcess p = process;
        if (p != null) {
            p.stop(Duration.ofSeconds(5));
        }
    }
}
