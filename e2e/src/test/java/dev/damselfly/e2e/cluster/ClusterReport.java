package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Writes a scenario's section of {@code BENCHMARKS.md} ({@code <!-- bench:cluster-sN:start -->} …
 * {@code <!-- bench:cluster-sN:end -->}), replacing only that section.
 */
final class ClusterReport {
    private ClusterReport() {
    }

    /** The goal line of each scenario, from issue 10. */
    static String goal(String id) {
        return switch (id) {
            case "s1", "s1-warm" -> "egress ≤ 1.05×, p50 ≤ 1.1·T*, max ≤ 1.3·T*";
            case "s2" -> "same measures as S1 (egress ≤ 1.05×)";
            case "s3" -> "every surviving pull completes with correct bytes; report the slowdown";
            case "s4" -> "zero corrupt bytes anywhere; the faulty node is avoided after its first bad piece; report the slowdown";
            case "s5" -> "issue 10 sets none beyond reporting time to output and registry bytes against the OCI image "
                    + "pulled and unpacked; issue 5's cold-start goal: ≤ 0.2× the time and ≤ 0.15× the registry bytes of pull + unpack";
            case "s6" -> "with the registry cut off, the remaining nodes still pull the image from peers";
            default -> "";
        };
    }

    /** What the node logs showed when a scenario failed the way it is known to fail, or "". */
    static String knownCause(String id, String message) {
        if (id.equals("s6") && message.contains("502")) {
            return "Cause (node logs: `authorization HEAD … failed: cannot connect`, then `PassThroughRelay - upstream … "
                    + "unreachable`): before serving a blob P2P, a node's proxy asks the origin with a HEAD whether the client "
                    + "may read that digest (P2pRouter.authorize, cached per digest for proxy.authCacheTtl) and fails closed "
                    + "when the origin is unreachable, so a cold node passes the GET through to the dead registry and answers "
                    + "502 although its peers hold every piece.";
        }
        return "";
    }

    /**
     * @param chart    the PNG, relative to the repository root (linked from the section)
     * @param baseline S1 at the same size, for the slowdown of S3/S4 (null when not run together)
     * @param command  the command that reproduces the section
     */
    static String markdown(ScenarioResult r, String chart, ScenarioResult baseline, String command) {
        StringBuilder md = new StringBuilder();
        md.append("## Cluster ").append(r.title()).append("\n\n");
        md.append("Measured ").append(LocalDate.now()).append(" on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, JDK ").append(System.getProperty("java.version"))
                .append(": registry, scheduler and nodes each in their own network namespace (veth + bridge), tc tbf on both ends of every link; ")
                .append(r.config().describe()).append(". Each node's client (`curl | openssl dgst -sha256`) runs inside the node's namespace and GETs every layer through the node's registry mirror at once; every layer's SHA-256 was checked.\n\n");
        md.append("| measure | value |\n|---|---:|\n");
        md.append(String.format("| nodes timed | %d |%n", r.seconds().size()));
        md.append(String.format("| p50 completion | %.1f s (%.2f·T*) |%n", r.p50(), r.p50() / r.lowerBound()));
        md.append(String.format("| p99 completion | %.1f s (%.2f·T*) |%n", r.p99(), r.p99() / r.lowerBound()));
        md.append(String.format("| max completion | %.1f s (%.2f·T*) |%n", r.max(), r.max() / r.lowerBound()));
        md.append(String.format("| lower bound T* = max(F/u_s, F/d, N·F/(u_s+Σu_i)) | %.1f s |%n", r.lowerBound()));
        md.append(String.format("| registry egress ÷ image bytes | %.3f |%n", r.egressRatio()));
        if (baseline != null && baseline != r) {
            md.append(String.format("| slowdown vs S1 (p50 / max) | %.2f× / %.2f× |%n", r.p50() / baseline.p50(),
                    r.max() / baseline.max()));
        }
        md.append(String.format("| scenario wall time (set-up included) | %.0f s |%n", r.wallSeconds()));
        md.append("\nGoal: ").append(goal(r.id())).append(".\n");
        for (String note : r.notes()) {
            md.append("\n- ").append(note);
        }
        if (!r.notes().isEmpty()) {
            md.append('\n');
        }
        md.append("\n![").append(r.title()).append(" completion-time CDF](").append(chart).append(")\n\n");
        md.append("Reproduce: `").append(command).append("`.\n");
        return md.toString();
    }

    /** Replaces (or appends) the section {@code name} of the file. */
    static void writeSection(Path file, String name, String markdown) throws IOException {
        String start = "<!-- bench:" + name + ":start -->";
        String end = "<!-- bench:" + name + ":end -->";
        String block = start + "\n" + markdown.strip() + "\n" + end;
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
        int s = text.indexOf(start);
        int e = text.indexOf(end);
        if (s >= 0 && e > s) {
            text = text.substring(0, s) + block + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + block + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
