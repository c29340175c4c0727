package dev.damselfly.e2e.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs full-size scenarios (run by {@code e2e/bench/cluster}, not by the test suite) and writes one section per
 * scenario to BENCHMARKS.md plus a CDF chart {@code e2e/bench/results/cluster-sN.png}.
 *
 * <p>Usage: {@code ClusterBenchmark REPO_ROOT [s1 s2 s3 s4 s5 s6 …]} (default all six;
 * s5, lazy start, also needs FUSE, skopeo, umoci and the Debian image of the testkit, built once per machine). Sizes from system
 * properties: {@code cluster.nodes} (8), {@code cluster.layers} (4), {@code cluster.layerMiB} (256),
 * {@code cluster.registryMbit} (200), {@code cluster.nodeMbit} (100), {@code cluster.rollingSeconds} (10, S2 start
 * interval), {@code cluster.churnSeconds} (10, S3 kill interval), {@code cluster.corruptRatio} (0.01, S4),
 * {@code cluster.warmNodes} (N/2, S6), {@code cluster.parentGraph} (MESH, the scheduler's {@code --parent-graph}),
 * {@code cluster.graphRounds} (2, rounds of {@code s1-graph}: S1 under MESH and under DAG, alternating),
 * {@code cluster.nodeSettings} (none; {@code key=value;key=value} node settings added to every node),
 * {@code cluster.schedulerArgs} (none; blank-separated options added to the scheduler's command line),
 * {@code cluster.nodeJvmOptions} (the launcher's C2 thresholds; blank-separated JVM options of every node instead),
 * {@code cluster.warmUpLayerMiB} (64, {@code s1-warm}: S1 after every node pulled an unrelated image of layers this
 * size),
 * {@code cluster.keep} (false: keep the nodes' logs and data; otherwise each scenario's piece data is deleted before
 * the next starts, and the logs of a run with a failed scenario are kept, without the piece data). S1 results are kept in {@code e2e/bench/results/cluster-s1.tsv} so S3/S4 run
 * later at the same size can report their slowdown against it.
 */
public final class ClusterBenchmark {
    private ClusterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            ids.add(args[i].toLowerCase(Locale.ROOT));
        }
        if (ids.isEmpty()) {
            ids.addAll(List.of("s1", "s2", "s3", "s4", "s5", "s6"));
        }
        ScenarioConfig full = ScenarioConfig.full();
        ScenarioConfig cfg = new ScenarioConfig(Integer.getInteger("cluster.nodes", full.nodes()),
                Integer.getInteger("cluster.layers", full.layers()),
                Long.getLong("cluster.layerMiB", full.layerBytes() / ScenarioConfig.MIB) * ScenarioConfig.MIB,
                Double.parseDouble(System.getProperty("cluster.registryMbit", "200")),
                Double.parseDouble(System.getProperty("cluster.nodeMbit", "100")), Long.getLong("cluster.staggerMillis", 0),
                System.getProperty("cluster.parentGraph", ScenarioConfig.MESH).toUpperCase(Locale.ROOT));
        long rolling = Long.getLong("cluster.rollingSeconds", 10) * 1000;
        long churn = Long.getLong("cluster.churnSeconds", 10) * 1000;
        double ratio = Double.parseDouble(System.getProperty("cluster.corruptRatio", "0.01"));
        int warm = Integer.getInteger("cluster.warmNodes", Math.max(1, cfg.nodes() / 2));
        String sizeArgs = sizeEnv(cfg, full);
        Path work = Files.createTempDirectory("damselfly-cluster-bench-");
        Path results = root.resolve("e2e/bench/results");
        Files.createDirectories(results);
        Path baselineFile = results.resolve("cluster-s1.tsv");
        ScenarioResult baseline = null;
        Map<String, String> failures = new LinkedHashMap<>();
        for (String id : ids) {
            if (!Boolean.getBoolean("cluster.keep")) {
                // the previous scenario's pieces and registry blobs (about N + 1 images) go before the next one
                // starts: six full scenarios' data do not fit on a 40 GB disk (the run failed with "disk full")
                deletePieceData(work);
            }
            if (id.equals("s1-graph")) {
                int rounds = Integer.getInteger("cluster.graphRounds", 2);
                String command = "CLUSTER_GRAPH_ROUNDS=" + rounds + (sizeArgs.isEmpty() ? "" : " " + sizeArgs)
                        + " e2e/bench/cluster s1-graph";
                try {
                    List<ParentGraphAb.Run> runs = ParentGraphAb.run(cfg, work, rounds, Boolean.getBoolean("cluster.keep"));
                    String chart = "e2e/bench/results/cluster-s1-graph.png";
                    CdfChart.writeSeries(root.resolve(chart), "S1 swarm by parent graph — " + cfg.nodes() + " nodes, "
                            + cfg.imageBytes() / ScenarioConfig.MIB + " MiB, " + rounds + " rounds pooled",
                            "completion time (s)", ParentGraphAb.pooledSeconds(runs));
                    ClusterReport.writeSection(root.resolve("BENCHMARKS.md"), "cluster-s1-graph",
                            ParentGraphAb.markdown(cfg, runs, chart, command));
                } catch (Exception e) {
                    System.out.println("s1-graph FAILED: " + e.getMessage());
                    failures.put(id, e.toString());
                }
                continue;
            }
            if (id.equals("s5")) {
                System.out.println("running s5: N = " + cfg.nodes() + ", registry " + cfg.registryMbit() + " Mbit/s, nodes "
                        + cfg.nodeMbit() + " Mbit/s");
                String command = (sizeArgs.isEmpty() ? "" : sizeArgs + " ") + "e2e/bench/cluster s5";
                try {
                    LazyStartResult r = LazyStart.run(cfg, work);
                    System.out.println(r.summary());
                    String chart = "e2e/bench/results/cluster-s5.png";
                    CdfChart.writeSeries(root.resolve(chart), "S5 lazy start — " + r.nodes() + " nodes, python3 -c 'print(1)'", "time to output (s)",
                            Map.of("Nydus, damselfly mount (" + r.mountsThroughNode() + "/" + r.nodes() + " through their node)",
                                    LazyStartResult.sorted(r.nydusSeconds()),
                                    "OCI, skopeo copy + umoci unpack", LazyStartResult.sorted(r.ociSeconds())));
                    ClusterReport.writeSection(root.resolve("BENCHMARKS.md"), "cluster-s5", LazyStartReport.markdown(r, chart, command));
                } catch (Exception e) {
                    System.out.println("s5 FAILED: " + e.getMessage());
                    failures.put(id, e.toString());
                    String firstLine = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                    ClusterReport.writeSection(root.resolve("BENCHMARKS.md"), "cluster-s5", "## Cluster S5 lazy start — FAILED\n\n"
                            + "Run " + java.time.LocalDate.now() + ": N = " + cfg.nodes() + ".\n\nGoal: " + ClusterReport.goal("s5")
                            + ".\n\nResult: failed — `" + e.getClass().getSimpleName() + ": " + firstLine.replace("`", "'")
                            + "`\n\nReproduce: `" + command + "`.\n");
                }
                continue;
            }
            System.out.println("running " + id + ": " + cfg.describe());
            ScenarioResult r;
            try {
                r = switch (id) {
                    case "s1" -> ClusterScenarios.swarm(cfg, work);
                    case "s1-warm" -> ClusterScenarios.warmSwarm(cfg, work,
                            Long.getLong("cluster.warmUpLayerMiB", 64) * ScenarioConfig.MIB);
                    case "s2" -> ClusterScenarios.rolling(cfg, work, rolling);
                    case "s3" -> ClusterScenarios.churn(cfg, work, churn, Integer.MAX_VALUE);
                    case "s4" -> ClusterScenarios.byzantine(cfg, work, ratio);
                    case "s6" -> ClusterScenarios.registryDown(cfg, work, warm);
                    default -> throw new IllegalArgumentException("unknown scenario " + id
                            + " (s1 s1-warm s1-graph s2 s3 s4 s5 s6)");
                };
            } catch (Exception e) {
                System.out.println(id + " FAILED: " + e.getMessage());
                failures.put(id, e.toString());
                String firstLine = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                ClusterReport.writeSection(root.resolve("BENCHMARKS.md"), "cluster-" + id, "## Cluster " + id.toUpperCase(Locale.ROOT)
                        + " — FAILED\n\nRun " + java.time.LocalDate.now() + ": " + cfg.describe() + ".\n\nGoal: "
                        + ClusterReport.goal(id) + ".\n\nResult: failed — `" + e.getClass().getSimpleName() + ": "
                        + firstLine.replace("`", "'") + "`\n\n" + ClusterReport.knownCause(id, firstLine)
                        + "\n\nReproduce: `" + (sizeArgs.isEmpty() ? "" : sizeArgs + " ")
                        + "e2e/bench/cluster " + id + "`.\n");
                continue;
            }
            System.out.println(r.summary());
            if (id.equals("s1")) {
                baseline = r;
                Files.writeString(baselineFile, cfg.describe() + "\t" + r.p50() + "\t" + r.max() + "\n", StandardCharsets.UTF_8);
            } else if (baseline == null) {
                baseline = loadBaseline(baselineFile, cfg);
            }
            String chart = "e2e/bench/results/cluster-" + id + ".png";
            CdfChart.write(root.resolve(chart), r);
            String command = (sizeArgs.isEmpty() ? "" : sizeArgs + " ") + "e2e/bench/cluster " + id;
            ClusterReport.writeSection(root.resolve("BENCHMARKS.md"), "cluster-" + id,
                    ClusterReport.markdown(r, chart, baseline, command));
        }
        if (Boolean.getBoolean("cluster.keep")) {
            System.out.println("node logs kept in " + work);
        } else if (!failures.isEmpty()) {
            deletePieceData(work); // the logs of a failed run are what tells why; the pieces are gigabytes
            System.out.println("logs of the failed run kept in " + work + " (piece data deleted)");
        } else {
            dev.damselfly.testkit.support.TempDirs.deleteRecursively(work);
        }
        if (!failures.isEmpty()) {
            System.out.println("failed scenarios: " + failures);
            System.exit(1);
        }
    }

    /** Deletes every node's data directory ({@code SCENARIO/nN/data}) and registry storage under {@code work}. */
    private static void deletePieceData(Path work) throws java.io.IOException {
        try (var dirs = Files.find(work, 3, (p, a) -> a.isDirectory()
                && (p.getFileName().toString().equals("data") || p.getParent().getFileName().toString().equals("registry")))) {
            for (Path d : dirs.toList()) {
                if (Files.exists(d)) {
                    dev.damselfly.testkit.support.TempDirs.deleteRecursively(d);
                }
            }
        }
    }

    /** The environment overrides that reproduce a non-default size, e.g. {@code CLUSTER_LAYER_MIB=64}. */
    private static String sizeEnv(ScenarioConfig cfg, ScenarioConfig full) {
        List<String> env = new ArrayList<>();
        if (cfg.nodes() != full.nodes()) {
            env.add("CLUSTER_NODES=" + cfg.nodes());
        }
        if (cfg.layers() != full.layers()) {
            env.add("CLUSTER_LAYERS=" + cfg.layers());
        }
        if (cfg.layerBytes() != full.layerBytes()) {
            env.add("CLUSTER_LAYER_MIB=" + cfg.layerBytes() / ScenarioConfig.MIB);
        }
        if (cfg.registryMbit() != full.registryMbit()) {
            env.add("CLUSTER_REGISTRY_MBIT=" + cfg.registryMbit());
        }
        if (cfg.nodeMbit() != full.nodeMbit()) {
            env.add("CLUSTER_NODE_MBIT=" + cfg.nodeMbit());
        }
        if (!cfg.parentGraph().equals(full.parentGraph())) {
            env.add("CLUSTER_PARENT_GRAPH=" + cfg.parentGraph());
        }
        String nodeSettings = System.getProperty("cluster.nodeSettings", "");
        if (!nodeSettings.isBlank()) {
            env.add("CLUSTER_NODE_SETTINGS='" + nodeSettings + "'");
        }
        String schedulerArgs = String.join(" ", Cluster.schedulerArgs());
        if (!schedulerArgs.isEmpty()) {
            env.add("CLUSTER_SCHEDULER_ARGS='" + schedulerArgs + "'");
        }
        String nodeJvm = System.getProperty("cluster.nodeJvmOptions");
        if (nodeJvm != null) {
            env.add("CLUSTER_NODE_JVM_OPTIONS='" + nodeJvm + "'");
        }
        return String.join(" ", env);
    }

    /** S1 at the same size from an earlier run (p50 and max only), or null. */
    private static ScenarioResult loadBaseline(Path file, ScenarioConfig cfg) throws java.io.IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String[] f = Files.readString(file, StandardCharsets.UTF_8).strip().split("\t");
        if (f.length != 3 || !f[0].equals(cfg.describe())) {
            return null;
        }
        Map<String, Double> times = new LinkedHashMap<>();
        times.put("p50", Double.parseDouble(f[1]));
        times.put("max", Double.parseDouble(f[2]));
        return new ScenarioResult("s1", "S1 swarm", cfg, times, 0, 0, List.of());
    }
}
