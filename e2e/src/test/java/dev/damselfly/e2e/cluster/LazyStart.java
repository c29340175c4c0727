package dev.damselfly.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.debian.DebianImage;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario S5, lazy start: the Debian bookworm + python3 image ({@link DebianImage#bookwormWithPython()}) is pushed to
 * the lab registry and converted there to Nydus with {@code damselfly convert}. Then every node at once mounts the
 * Nydus image ({@link LabMount}, chunks through its node) and runs {@code chroot MNT python3 -c 'print(1)'}; after
 * all mounts are removed, every node at once does the same with the OCI image: {@code skopeo copy docker://… oci:DIR},
 * {@code umoci unpack}, the same chroot. Every step runs in the node's network namespace, through its limited link.
 */
final class LazyStart {
    /** Nydus repository in the lab registry: {@value}. */
    static final String NYDUS_REPO = "debian/nydus";
    /** OCI repository in the lab registry: {@value}. */
    static final String OCI_REPO = "debian/oci";
    /** Longest a single step (convert, pull, unpack, chroot) may take: 10 minutes. */
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);
    /** The command whose output is awaited (as argv of chroot after the root). */
    static final List<String> PYTHON = List.of("python3", "-c", "print(1)");

    private static final Logger LOG = LoggerFactory.getLogger(LazyStart.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private LazyStart() {
    }

    /** The two images in the lab registry and their layer bytes. */
    private record Images(String oci, String nydus, long ociBytes, long nydusBytes) {
    }

    /**
     * Runs S5 with {@code cfg.nodes()} nodes and its link limits ({@code cfg.layers()} is ignored: no random layers).
     *
     * @throws LabException when a mount, pull, unpack or the chroot fails (with the step's log)
     */
    static LazyStartResult run(ScenarioConfig cfg, Path work) throws Exception {
        requireTools();
        long t0 = System.nanoTime();
        DebianImage image = DebianImage.bookwormWithPython();
        image.layoutDir(); // built (or found in the machine's cache) before the lab exists
        ScenarioConfig run = new ScenarioConfig(cfg.nodes(), 0, 0, cfg.registryMbit(), cfg.nodeMbit(), 0);
        Images[] images = new Images[1];
        Path dir = work.resolve("s5");
        try (Cluster c = Cluster.start(run, dir, i -> List.of(), registry -> images[0] = seed(registry, image, dir))) {
            Images img = images[0];
            LabRegistry registry = c.registry();
            List<String> notes = new ArrayList<>();

            var nydusMark = registry.mark();
            Map<String, Double> mounted = new LinkedHashMap<>();
            List<String> direct = new CopyOnWriteArrayList<>();
            Map<String, Double> nydus = nydusPhase(c, img.nydus(), mounted, direct);
            notes.add((cfg.nodes() - direct.size()) + " of " + cfg.nodes() + " mounts read chunks through their node"
                    + (direct.isEmpty() ? "" : "; " + direct + " found no node (the mount probes the node's admin API once, "
                    + "for 500 ms, at start) and read from the registry directly"));
            long nydusAtEnd = registry.blobBytesServedSince(nydusMark, NYDUS_REPO);
            notes.add(traffic(c));

            var ociMark = registry.mark();
            Map<String, Double> pulled = new LinkedHashMap<>();
            Map<String, Double> oci = ociPhase(c, img.oci(), pulled);
            long ociBytes = registry.blobBytesServedSince(ociMark, OCI_REPO);
            // counted after both phases: a node may still fetch Nydus chunks in the background after python3 printed
            long nydusBytes = registry.blobBytesServedSince(nydusMark, NYDUS_REPO);
            long nydusLate = nydusBytes - nydusAtEnd;
            if (nydusLate > 0) {
                notes.add(String.format("%.1f MiB of the Nydus bytes were fetched by the nodes after the last python3 printed", nydusLate / 1048576.0));
            }

            notes.add(String.format("Nydus: the mount served after %.1f s (p50; max %.1f s) of the %.1f s to the printed 1",
                    LazyStartResult.percentile(mounted, 50), LazyStartResult.percentile(mounted, 100),
                    LazyStartResult.percentile(nydus, 50)));
            notes.add(String.format("OCI: skopeo copy took %.1f s (p50; max %.1f s) of the %.1f s to the printed 1 (the rest: umoci unpack + chroot)",
                    LazyStartResult.percentile(pulled, 50), LazyStartResult.percentile(pulled, 100),
                    LazyStartResult.percentile(oci, 50)));
            return new LazyStartResult(cfg.nodes(), cfg.registryMbit(), cfg.nodeMbit(), nydus, mounted, oci, pulled,
                    nydusBytes, ociBytes, img.nydusBytes(), img.ociBytes(), cfg.nodes() - direct.size(), (System.nanoTime() - t0) / 1e9, notes);
        }
    }

    /** Fails with a clear message when a tool S5 needs is missing (never a skip). */
    static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("nsenter", "chroot", "umount", Skopeo.DEFAULT_BINARY, DebianImage.UMOCI)) {
            if (Shell.tryRun("sh", "-c", "command -v " + tool).exitCode() != 0) {
                missing.add(tool);
            }
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            missing.add("/dev/fuse");
        }
        if (!missing.isEmpty()) {
            throw new LabException("S5 needs " + missing + " (Debian: util-linux, coreutils, skopeo, umoci, fuse)");
        }
    }

    /** Pushes the OCI image, converts it to Nydus in the same registry, and reads both manifests' layer sizes. */
    private static Images seed(LabRegistry registry, DebianImage image, Path dir) throws Exception {
        Skopeo skopeo = Skopeo.create().withTimeout(STEP_TIMEOUT);
        String oci = image.push(skopeo, registry.hostPort(), OCI_REPO, image.tag());
        String nydus = registry.hostPort() + "/" + NYDUS_REPO + ":" + image.tag();
        Files.createDirectories(dir);
        List<String> convert = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                LabNode.jar().toString(), "convert", oci, nydus, "--plain-http", registry.hostPort());
        long start = System.nanoTime();
        Process p = new ProcessBuilder(convert).redirectErrorStream(true).redirectOutput(dir.resolve("convert.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(STEP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new LabException("damselfly convert " + oci + " " + nydus + " did not finish in " + STEP_TIMEOUT);
        }
        if (p.exitValue() != 0) {
            throw new LabException("damselfly convert " + oci + " " + nydus + " failed (exit " + p.exitValue() + ")\n"
                    + Files.readString(dir.resolve("convert.log"), StandardCharsets.UTF_8));
        }
        LOG.info("s5 image converted oci={} nydus={} seconds={}", oci, nydus, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return new Images(oci, nydus, layerBytes(skopeo, oci), layerBytes(skopeo, nydus));
    }

    private static long layerBytes(Skopeo skopeo, String reference) throws IOException {
        JsonNode manifest = JSON.readTree(skopeo.run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + reference)));
        long sum = 0;
        for (JsonNode layer : manifest.path("layers")) {
            sum += layer.path("size").asLong();
        }
        return sum;
    }

    /** Every node mounts the Nydus image and runs python3 in it, all at once; mounts removed before returning. */
    private static Map<String, Double> nydusPhase(Cluster c, String image, Map<String, Double> mountedAt, List<String> direct)
            throws Exception {
        List<LabMount> mounts = new CopyOnWriteArrayList<>();
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            Map<String, double[]> timings = onEveryNode(c, node -> {
                long start = System.nanoTime();
                LabMount m = LabMount.start(c.lab(), node, c.jar(), image, c.registry().hostPort(),
                        c.work().resolve("nydus-" + node.name()));
                mounts.add(m);
                if (!m.throughNode()) {
                    direct.add(node.name());
                }
                double mounted = (System.nanoTime() - start) / 1e9;
                List<String> chroot = new ArrayList<>(List.of("chroot", m.mountpoint().toString()));
                chroot.addAll(PYTHON);
                awaitOne(c, node, "nydus-python", chroot);
                return new double[] {(System.nanoTime() - start) / 1e9, mounted};
            });
            timings.forEach((n, t) -> {
                out.put(n, t[0]);
                mountedAt.put(n, t[1]);
            });
            return out;
        } finally {
            for (LabMount m : mounts) {
                try {
                    m.close();
                } catch (RuntimeException e) {
                    LOG.warn("s5 unmount failed mountpoint={} error={}", m.mountpoint(), e.toString());
                }
            }
        }
    }

    /** Every node pulls the OCI image with skopeo, unpacks it with umoci and runs python3 in it, all at once. */
    private static Map<String, Double> ociPhase(Cluster c, String image, Map<String, Double> pulledAt) throws Exception {
        Map<String, double[]> timings = onEveryNode(c, node -> {
            Path dir = Files.createDirectories(c.work().resolve("oci-" + node.name()));
            String layout = "oci:" + dir.resolve("layout") + ":latest";
            long start = System.nanoTime();
            runStep(c, node, "oci-pull", List.of(Skopeo.DEFAULT_BINARY, "copy", "--insecure-policy", "--src-tls-verify=false",
                    "--retry-times", "0", "docker://" + image, layout));
            double pulled = (System.nanoTime() - start) / 1e9;
            Path bundle = dir.resolve("bundle");
            runStep(c, node, "oci-unpack", List.of(DebianImage.UMOCI, "unpack", "--image", dir.resolve("layout") + ":latest",
                    bundle.toString()));
            List<String> chroot = new ArrayList<>(List.of("chroot", bundle.resolve("rootfs").toString()));
            chroot.addAll(PYTHON);
            awaitOne(c, node, "oci-python", chroot);
            return new double[] {(System.nanoTime() - start) / 1e9, pulled};
        });
        Map<String, Double> out = new LinkedHashMap<>();
        timings.forEach((n, t) -> {
            out.put(n, t[0]);
            pulledAt.put(n, t[1]);
        });
        return out;
    }

    /** One node's part of a phase; returns its timings. */
    @FunctionalInterface
    private interface NodeTask {
        double[] run(LabNode node) throws Exception;
    }

    /** Runs the task on every node at once; node → timings; the first failure is rethrown with every node's log tail. */
    private static Map<String, double[]> onEveryNode(Cluster c, NodeTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(c.nodes().size());
        try {
            List<Future<double[]>> runs = new ArrayList<>();
            for (LabNode n : c.nodes()) {
                runs.add(pool.submit(() -> task.run(n)));
            }
            Map<String, double[]> out = new LinkedHashMap<>();
            for (int i = 0; i < runs.size(); i++) {
                try {
                    out.put(c.nodes().get(i).name(), runs.get(i).get());
                } catch (ExecutionException e) {
                    throw new LabException("S5 failed on node " + c.nodes().get(i).name() + ": " + e.getCause().getMessage()
                            + "\n" + c.logs(2000), e.getCause());
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** Runs {@code chroot … python3 -c 'print(1)'} in the node's network namespace; returns when it printed {@code 1}. */
    private static void awaitOne(Cluster c, LabNode node, String name, List<String> command) throws IOException {
        LabProcess p = LabProcess.startNetworkOnly(c.lab(), node.host(), name + "-" + node.name(), command,
                c.work().resolve(name + "-" + node.name() + ".err"), "1", null);
        p.awaitReady(STEP_TIMEOUT);
        int exit = p.awaitExit(Duration.ofSeconds(30));
        if (exit != 0) {
            p.kill();
            throw new LabException(String.join(" ", command) + " on " + node.name() + " exited " + exit + "\n" + p.tail(2000));
        }
    }

    /** Runs one step to completion in the node's network namespace; throws with its stderr unless it exits 0. */
    private static void runStep(Cluster c, LabNode node, String name, List<String> command) throws IOException {
        LabProcess p = LabProcess.startNetworkOnly(c.lab(), node.host(), name + "-" + node.name(), command,
                c.work().resolve(name + "-" + node.name() + ".err"), null, null);
        int exit = p.awaitExit(STEP_TIMEOUT);
        if (exit != 0) {
            p.kill();
            throw new LabException(String.join(" ", command) + " on " + node.name() + " exited " + exit + "\n" + p.tail(2000));
        }
    }

    /** Where the nodes' bytes came from during the Nydus phase (their download-traffic counters), in MiB. */
    private static String traffic(Cluster c) throws Exception {
        double source = 0;
        double peers = 0;
        for (LabNode n : c.nodes()) {
            source += n.metric("dragonfly_client_download_traffic{type=\"BACK_TO_SOURCE\"}");
            peers += n.metric("dragonfly_client_download_traffic{type=\"REMOTE_PEER\"}");
        }
        return String.format("Nydus phase, nodes' download counters (all nodes): %.1f MiB back-to-source, %.1f MiB from peers",
                source / 1048576.0, peers / 1048576.0);
    }
}
