package dev.damselfly.e2e.cluster;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * S1 under both of the scheduler's parent graphs, side by side: {@code rounds} rounds, each running S1 once with the
 * default mesh and once with Dragonfly's DAG ({@code damselfly scheduler --parent-graph DAG}), the order alternating
 * from round to round so that neither graph always runs on the warmer machine.
 */
final class ParentGraphAb {
    private ParentGraphAb() {
    }

    /** One S1 run and the graph it ran under. */
    record Run(int round, String graph, ScenarioResult result) {
    }

    /**
     * Runs the rounds; each run's node data is deleted after it unless {@code keep} (a full S1 stores the image once
     * per node).
     */
    static List<Run> run(ScenarioConfig cfg, Path work, int rounds, boolean keep) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> order = round % 2 == 1 ? List.of(ScenarioConfig.MESH, ScenarioConfig.DAG)
                    : List.of(ScenarioConfig.DAG, ScenarioConfig.MESH);
            for (String graph : order) {
                Path dir = work.resolve("graph-" + round + "-" + graph.toLowerCase(java.util.Locale.ROOT));
                System.out.println("running s1 round " + round + " with parent graph " + graph);
                ScenarioResult r = ClusterScenarios.swarm(cfg.withParentGraph(graph), dir);
                System.out.println(r.summary());
                runs.add(new Run(round, graph, r));
                if (!keep) {
                    dev.damselfly.testkit.support.TempDirs.deleteRecursively(dir);
                }
            }
        }
        return runs;
    }

    /** The BENCHMARKS.md section: every run, the medians per graph and their ratio. */
    static String markdown(ScenarioConfig cfg, List<Run> runs, String chart, String command) {
        StringBuilder md = new StringBuilder("## Cluster S1 swarm: a mesh of parents vs Dragonfly's DAG\n\n");
        md.append("Measured ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ").append(System.getProperty("java.version")).append(": S1 (")
                .append(cfg.withParentGraph(ScenarioConfig.MESH).describe())
                .append(") with the standalone scheduler's default `--parent-graph MESH` (an edge may close a cycle, so a ")
                .append("peer that registered later can serve an earlier one) and with `--parent-graph DAG` (Dragonfly's rule), ")
                .append("alternating, in the same session; everything else identical.\n\n");
        md.append("| round | parent graph | p50 | max | registry egress ÷ image |\n|---|---|---:|---:|---:|\n");
        for (Run run : runs) {
            ScenarioResult r = run.result();
            md.append(String.format("| %d | %s | %.1f s (%.2f·T*) | %.1f s (%.2f·T*) | %.3f |%n", run.round(), run.graph(),
                    r.p50(), r.p50() / r.lowerBound(), r.max(), r.max() / r.lowerBound(), r.egressRatio()));
        }
        Map<String, double[]> medians = new LinkedHashMap<>();
        for (String graph : List.of(ScenarioConfig.MESH, ScenarioConfig.DAG)) {
            List<ScenarioResult> of = runs.stream().filter(r -> r.graph().equals(graph)).map(Run::result).toList();
            medians.put(graph, new double[] {median(of.stream().map(ScenarioResult::p50).toList()),
                    median(of.stream().map(ScenarioResult::max).toList())});
        }
        double[] mesh = medians.get(ScenarioConfig.MESH);
        double[] dag = medians.get(ScenarioConfig.DAG);
        md.append(String.format("%nMedians over the rounds: MESH p50 %.1f s, max %.1f s; DAG p50 %.1f s, max %.1f s; "
                + "**MESH ÷ DAG: p50 %.2f×, max %.2f×** (T* = %.1f s).%n", mesh[0], mesh[1], dag[0], dag[1],
                mesh[0] / dag[0], mesh[1] / dag[1], cfg.lowerBoundSeconds()));
        md.append("\n![S1 completion-time CDF by parent graph](").append(chart).append(")\n\n");
        md.append("Reproduce: `").append(command).append("`.\n");
        return md.toString();
    }

    /** Completion times of every node per graph, all rounds pooled, for the CDF chart. */
    static Map<String, List<Double>> pooledSeconds(List<Run> runs) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (Run run : runs) {
            out.computeIfAbsent("--parent-graph " + run.graph(), g -> new ArrayList<>()).addAll(run.result().sorted());
        }
        out.values().forEach(l -> l.sort(Double::compare));
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
