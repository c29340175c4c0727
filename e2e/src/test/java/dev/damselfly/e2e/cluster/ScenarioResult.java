package dev.damselfly.e2e.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one scenario run measured.
 *
 * @param id          short id, e.g. "s1"
 * @param title       e.g. "S1 swarm"
 * @param config      the run's size
 * @param seconds     each measured node's image pull time, node name → seconds (from that node's own start)
 * @param egressBytes blob bytes the registry served during the measured pulls (from its access log)
 * @param wallSeconds the scenario's wall time, set-up included
 * @param notes       scenario-specific findings, one line each (kills, corrupt pieces, avoidance …)
 * @param counters    the same findings as numbers for assertions (e.g. "kills", "corrupted", "avoidingNodes")
 */
record ScenarioResult(String id, String title, ScenarioConfig config, Map<String, Double> seconds, long egressBytes,
                      double wallSeconds, List<String> notes, Map<String, Long> counters) {

    ScenarioResult(String id, String title, ScenarioConfig config, Map<String, Double> seconds, long egressBytes,
                   double wallSeconds, List<String> notes) {
        this(id, title, config, seconds, egressBytes, wallSeconds, notes, Map.of());
    }

    /** This result with {@code note} added after its notes. */
    ScenarioResult withNote(String note) {
        List<String> all = new ArrayList<>(notes);
        all.add(note);
        return new ScenarioResult(id, title, config, seconds, egressBytes, wallSeconds, List.copyOf(all), counters);
    }

    long counter(String name) {
        return counters.getOrDefault(name, -1L);
    }

    /** Registry egress ÷ image bytes. */
    double egressRatio() {
        return (double) egressBytes / config.imageBytes();
    }

    double lowerBound() {
        return config.lowerBoundSeconds();
    }

    double p50() {
        return percentile(50);
    }

    double p99() {
        return percentile(99);
    }

    double max() {
        return percentile(100);
    }

    /** Nearest-rank percentile of the node times. */
    double percentile(double p) {
        List<Double> sorted = sorted();
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    List<Double> sorted() {
        List<Double> s = new ArrayList<>(seconds.values());
        Collections.sort(s);
        return s;
    }

    /** One summary line for logs and test output. */
    String summary() {
        return String.format("%s: %s; p50 %.1f s, p99 %.1f s, max %.1f s, T* %.1f s (p50/T* %.2f, max/T* %.2f), "
                        + "egress %.3f× image, wall %.0f s; %s", title, config.describe(), p50(), p99(), max(), lowerBound(),
                p50() / lowerBound(), max() / lowerBound(), egressRatio(), wallSeconds, String.join("; ", notes));
    }
}
