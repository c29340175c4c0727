package dev.damselfly.e2e.cluster;

import java.time.LocalDate;
import java.util.Map;

/** The {@code cluster-s5} section of BENCHMARKS.md for a {@link LazyStartResult}. */
final class LazyStartReport {
    private static final double MIB = 1024.0 * 1024.0;

    private LazyStartReport() {
    }

    /**
     * @param chart   the PNG, relative to the repository root
     * @param command the command that reproduces the section
     */
    static String markdown(LazyStartResult r, String chart, String command) {
        StringBuilder md = new StringBuilder();
        md.append("## Cluster S5 lazy start\n\n");
        md.append("Measured ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ").append(System.getProperty("java.version"))
                .append(": registry, scheduler and N = ").append(r.nodes())
                .append(" nodes each in their own network namespace (veth + bridge, tc tbf on both ends), registry link ")
                .append(fmt(r.registryMbit())).append(" Mbit/s, node links ").append(fmt(r.nodeMbit())).append(" Mbit/s. ")
                .append("The image is Debian bookworm minbase + python3-minimal (debootstrap + umoci, one gzip layer of ")
                .append(String.format("%.1f MiB", r.ociImageBytes() / MIB)).append("), converted by `damselfly convert` to Nydus (")
                .append(String.format("%.1f MiB", r.nydusImageBytes() / MIB)).append(" of blob + bootstrap layers) in the lab registry. ")
                .append("**Nydus:** every node at once starts `damselfly mount IMAGE MNT --node NODE:4004 --plain-http REGISTRY "
                        + "--cache-dir …` in its network namespace (chunks: node store → peers → registry) and, once mounted, "
                        + "`chroot MNT python3 -c 'print(1)'`. **OCI:** then every node at once runs `skopeo copy docker://… oci:DIR`, "
                        + "`umoci unpack` and the same chroot, in its namespace, through the same links. Times run from the "
                        + "start of each node's first command to python3's printed `1`; every mount is unmounted at the end.\n\n");
        md.append("| measure | Nydus (lazy mount) | OCI (pull + unpack) | Nydus ÷ OCI |\n|---|---:|---:|---:|\n");
        row(md, "p50 time to output", r.nydusSeconds(), r.ociSeconds(), 50);
        row(md, "p99 time to output", r.nydusSeconds(), r.ociSeconds(), 99);
        row(md, "max time to output", r.nydusSeconds(), r.ociSeconds(), 100);
        md.append(String.format("| registry blob bytes served (access log) | %.1f MiB | %.1f MiB | %.3f |%n",
                r.nydusRegistryBytes() / MIB, r.ociRegistryBytes() / MIB, r.bytesRatio()));
        md.append(String.format("| registry bytes per node | %.1f MiB | %.1f MiB | |%n",
                r.nydusRegistryBytes() / MIB / r.nodes(), r.ociRegistryBytes() / MIB / r.nodes()));
        md.append(String.format("| image layer bytes | %.1f MiB | %.1f MiB | |%n", r.nydusImageBytes() / MIB, r.ociImageBytes() / MIB));
        md.append(String.format("| scenario wall time (set-up included) | %.0f s | | |%n", r.wallSeconds()));
        md.append("\nGoal: ").append(ClusterReport.goal("s5")).append(". Measured: time ")
                .append(String.format("%.3f× (p50)", r.timeRatio())).append(r.timeRatio() <= 0.2 ? " — met" : " — not met")
                .append(", bytes ").append(String.format("%.3f×", r.bytesRatio())).append(r.bytesRatio() <= 0.15 ? " — met" : " — not met")
                .append(".\n");
        for (String note : r.notes()) {
            md.append("\n- ").append(note);
        }
        if (!r.notes().isEmpty()) {
            md.append('\n');
        }
        md.append("\n![S5 lazy start time-to-output CDF](").append(chart).append(")\n\n");
        md.append("Reproduce: `").append(command).append("`.\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String name, Map<String, Double> nydus, Map<String, Double> oci, double p) {
        double a = LazyStartResult.percentile(nydus, p);
        double b = LazyStartResult.percentile(oci, p);
        md.append(String.format("| %s | %.1f s | %.1f s | %.3f |%n", name, a, b, a / b));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
