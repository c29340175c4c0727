package dev.damselfly.e2e.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running cluster in a {@link NetworkLab}: the registry (holding the image's layers), a standalone scheduler
 * and N nodes, each in its own namespace, links limited as the {@link ScenarioConfig} says. Layers are pushed before
 * the links are limited. {@link #close()} stops everything and removes the lab, whatever state it is in.
 */
final class Cluster implements AutoCloseable {
    /** Repository the image's layers live in: {@value}. */
    static final String REPO = "lab/image";
    /** Scheduler port (standalone scheduler): {@value}. */
    static final int SCHEDULER_PORT = 8002;

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    private final ScenarioConfig config;
    private final NetworkLab lab;
    private final Path work;
    private final List<String> layers = new ArrayList<>();
    private final List<LabNode> nodes = new ArrayList<>();
    private LabRegistry registry;
    private LabProcess scheduler;

    private Cluster(ScenarioConfig config, NetworkLab lab, Path work) {
        this.config = config;
        this.lab = lab;
        this.work = work;
    }

    /**
     * Further options for the standalone scheduler of a benchmark run (an A/B of one option), the blank-separated
     * words of {@code cluster.schedulerArgs}, e.g. {@code --source-stripes 1}; none by default.
     */
    static List<String> schedulerArgs() {
        String configured = System.getProperty("cluster.schedulerArgs", "").trim();
        return configured.isEmpty() ? List.of() : List.of(configured.split("\\s+"));
    }

    /**
     * Builds the lab, pushes the image, limits the links, starts the scheduler and the nodes (in parallel).
     *
     * @param extraSettings per node index (0-based): further {@code key=value} node settings
     */
    static Cluster start(ScenarioConfig config, Path work, IntFunction<List<String>> extraSettings) throws Exception {
        return start(config, work, extraSettings, registry -> { });
    }

    /**
     * As {@link #start(ScenarioConfig, Path, IntFunction)}, and {@code seeder} fills the registry (from the root
     * namespace, through the bridge) after the layers are pushed and before any link is limited.
     */
    static Cluster start(ScenarioConfig config, Path work, IntFunction<List<String>> extraSettings, Seeder seeder)
            throws Exception {
        Files.createDirectories(work);
        Cluster c = new Cluster(config, NetworkLab.create(), work);
        try {
            c.boot(extraSettings, seeder);
            return c;
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    /** Puts further content into the lab registry before the links are limited (e.g. an image to convert). */
    @FunctionalInterface
    interface Seeder {
        void seed(LabRegistry registry) throws Exception;
    }

    private void boot(IntFunction<List<String>> extraSettings, Seeder seeder) throws Exception {
        NetworkLab.Host registryHost = lab.addHost("registry");
        NetworkLab.Host schedulerHost = lab.addHost("scheduler");
        List<NetworkLab.Host> nodeHosts = new ArrayList<>();
        for (int i = 1; i <= config.nodes(); i++) {
            nodeHosts.add(lab.addHost("n" + i));
        }
        Path jar = Files.copy(LabNode.jar(), work.resolve("damselfly.jar"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        registry = LabRegistry.start(lab, registryHost, work);
        long seed = System.nanoTime();
        for (int i = 0; i < config.layers(); i++) {
            layers.add(registry.pushBlob(REPO, seed + i, config.layerBytes()));
        }
        seeder.seed(registry);
        lab.limit(registryHost, config.registryMbit(), config.registryMbit());
        for (NetworkLab.Host h : nodeHosts) {
            lab.limit(h, config.nodeMbit(), config.nodeMbit());
        }
        Path schedErr = work.resolve("scheduler/scheduler.err");
        List<String> schedulerCmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "scheduler", "--listen", "0.0.0.0:" + SCHEDULER_PORT, "--parent-graph", config.parentGraph()));
        schedulerCmd.addAll(schedulerArgs());
        scheduler = LabProcess.start(lab, schedulerHost, "scheduler", schedulerCmd, schedErr, "listening on", null);
        scheduler.awaitReady(LabNode.READY_TIMEOUT);
        String schedulerAddress = schedulerHost.ip() + ":" + SCHEDULER_PORT;
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, config.nodes()));
        try {
            List<Future<LabNode>> starting = new ArrayList<>();
            for (int i = 0; i < nodeHosts.size(); i++) {
                NetworkLab.Host h = nodeHosts.get(i);
                List<String> extra = extraSettings.apply(i);
                starting.add(pool.submit(() -> LabNode.start(lab, h, work, jar, schedulerAddress, registry.hostPort(),
                        config.nodeMbit() > 0 ? Math.round(config.nodeMbit()) : 10_000, extra)));
            }
            for (Future<LabNode> f : starting) {
                nodes.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        LOG.info("cluster ready lab={} {}", lab.id(), config.describe());
    }

    ScenarioConfig config() {
        return config;
    }

    NetworkLab lab() {
        return lab;
    }

    /** The scheduler process's id, or −1 before it started. */
    long schedulerPid() {
        return scheduler == null ? -1 : scheduler.pid();
    }

    LabRegistry registry() {
        return registry;
    }

    List<LabNode> nodes() {
        return nodes;
    }

    /** The scenario's working directory (node data directories are below it). */
    Path work() {
        return work;
    }

    /** The private copy of the damselfly jar the nodes run. */
    Path jar() {
        return work.resolve("damselfly.jar");
    }

    List<String> layers() {
        return layers;
    }

    /**
     * Pulls every layer through the node's mirror, all layers at once (as containerd does), each checked against
     * its digest.
     *
     * @param attempts GETs allowed per layer (1 = no retry)
     * @return the seconds until the last layer arrived, and the total GETs
     */
    PullTiming pullImage(LabNode node, int attempts) throws Exception {
        return pullBlobs(node, layers, config().layerBytes(), attempts);
    }

    /**
     * As {@link #pullImage}, for other blobs of the lab repository (each at most {@code blobBytes}), e.g. a warm-up
     * image pushed by a {@link Seeder}.
     */
    PullTiming pullBlobs(LabNode node, List<String> digests, long blobBytes, int attempts) throws Exception {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(digests.size());
        int maxSeconds = BlobPuller.maxSeconds(blobBytes);
        try {
            List<Future<Integer>> gets = new ArrayList<>();
            for (String digest : digests) {
                String url = node.blobUrl(registry.hostPort(), REPO, digest);
                gets.add(pool.submit(() -> BlobPuller.pull(lab, node, url, digest, attempts, maxSeconds)));
            }
            int total = 0;
            for (Future<Integer> g : gets) {
                try {
                    total += g.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Exception cause) {
                        throw cause;
                    }
                    throw e;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            LOG.info("image pulled node={} seconds={} gets={}", node.name(), String.format("%.2f", seconds), total);
            return new PullTiming(node.name(), seconds, total);
        } finally {
            pool.shutdownNow();
        }
    }

    /** How long one node's image pull took and how many GETs it needed (more than the layer count = retries). */
    record PullTiming(String node, double seconds, int gets) {
    }

    /** Log tails of every node, for failure messages. */
    String logs(int charsPerNode) {
        StringBuilder sb = new StringBuilder();
        for (LabNode n : nodes) {
            try {
                String log = n.log();
                sb.append("--- ").append(n.name()).append('\n')
                        .append(log.length() > charsPerNode ? log.substring(log.length() - charsPerNode) : log).append('\n');
            } catch (Exception e) {
                sb.append("--- ").append(n.name()).append(": ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (LabNode n : nodes) {
            try {
                n.stop();
            } catch (RuntimeException e) {
                LOG.warn("node stop failed node={} error={}", n.name(), e.toString());
            }
        }
        if (scheduler != null) {
            scheduler.stop(java.time.Duration.ofSeconds(10));
        }
        if (registry != null) {
            registry.close();
        }
        lab.close();
    }
}
