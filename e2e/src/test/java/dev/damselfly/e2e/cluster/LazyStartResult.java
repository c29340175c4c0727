package dev.damselfly.e2e.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What one S5 (lazy start) run measured: per node, the seconds from start to python3's printed {@code 1} with the
 * Nydus image mounted lazily and with the OCI image pulled and unpacked, and the registry's blob bytes for each.
 *
 * @param nodes              N, nodes that ran the command at once
 * @param registryMbit       the registry's link, Mbit/s (both directions)
 * @param nodeMbit           each node's link, Mbit/s
 * @param nydusSeconds       node → seconds from starting {@code damselfly mount} to the printed {@code 1}
 * @param nydusMountSeconds  node → seconds from start until the mount served ({@code mounted …})
 * @param ociSeconds         node → seconds from starting {@code skopeo copy} to the printed {@code 1}
 * @param ociPullSeconds     node → seconds of the {@code skopeo copy} alone
 * @param nydusRegistryBytes blob bytes the registry served during the Nydus phase (its access log)
 * @param ociRegistryBytes   blob bytes the registry served during the OCI phase
 * @param nydusImageBytes    the Nydus image's layer bytes (data blobs + bootstrap layer)
 * @param ociImageBytes      the OCI image's layer bytes (gzip)
 * @param mountsThroughNode  mounts that read their chunks through their node (the rest read the registry directly)
 * @param wallSeconds        the scenario's wall time, set-up (image push, conversion, nodes) included
 * @param notes              further findings, one line each
 */
record LazyStartResult(int nodes, double registryMbit, double nodeMbit, Map<String, Double> nydusSeconds,
                       Map<String, Double> nydusMountSeconds, Map<String, Double> ociSeconds,
                       Map<String, Double> ociPullSeconds, long nydusRegistryBytes, long ociRegistryBytes,
                       long nydusImageBytes, long ociImageBytes, int mountsThroughNode, double wallSeconds, List<String> notes) {

    /** Time ratio of issue 5's cold-start goal: Nydus p50 ÷ OCI p50 (goal ≤ 0.2). */
    double timeRatio() {
        return percentile(nydusSeconds, 50) / percentile(ociSeconds, 50);
    }

    /** Bytes ratio of issue 5's cold-start goal: registry bytes Nydus ÷ OCI (goal ≤ 0.15). */
    double bytesRatio() {
        return (double) nydusRegistryBytes / ociRegistryBytes;
    }

    /** Nearest-rank percentile of a node → seconds map (NaN when empty). */
    static double percentile(Map<String, Double> seconds, double p) {
        List<Double> sorted = sorted(seconds);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static List<Double> sorted(Map<String, Double> seconds) {
        List<Double> s = new ArrayList<>(seconds.values());
        Collections.sort(s);
        return s;
    }

    /** One summary line for logs and test output. */
    String summary() {
        return String.format("S5 lazy start: N = %d; Nydus p50 %.1f s p99 %.1f s max %.1f s, registry %.1f MiB; OCI p50 %.1f s "
                        + "p99 %.1f s max %.1f s, registry %.1f MiB; time ratio %.3f, bytes ratio %.3f; wall %.0f s; %s",
                nodes, percentile(nydusSeconds, 50), percentile(nydusSeconds, 99), percentile(nydusSeconds, 100),
                nydusRegistryBytes / 1048576.0, percentile(ociSeconds, 50), percentile(ociSeconds, 99),
                percentile(ociSeconds, 100), ociRegistryBytes / 1048576.0, timeRatio(), bytesRatio(), wallSeconds,
                String.join("; ", notes));
    }
}
