package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian {@code prometheus}) scrapes a real {@code damselfly node} process after a real
 * {@code damselfly get} pulled a 20 MiB file from a loopback origin: Prometheus's query API returns the
 * back-to-source traffic equal to the file size, the version gauge and {@code up} as 1; and every metric the Grafana
 * dashboard in {@code deploy/grafana} plots (except the mount's, which need a mount) is on the node's /metrics.
 */
class PrometheusScrapeEndToEndTest {
    /** Size of the origin's random file: 20 MiB. */
    private static final int FILE_SIZE = 20 * 1024 * 1024;
    /** Size of the second file, fetched with a wrong digest to make one task fail: 64 KiB. */
    private static final int SMALL_FILE_SIZE = 64 * 1024;
    /** Scrape job name in the Prometheus configuration (the {@code job} label). */
    private static final String JOB = "damselfly-node";
    /** How long Prometheus has, once ready, to show the expected values: 30 s. */
    private static final Duration QUERY_DEADLINE = Duration.ofSeconds(30);
    /** Dashboard metrics that exist only once a RAFS mount has served reads; this test runs none. */
    private static final String MOUNT_ONLY_PREFIX = "damselfly_mount_";
    private static final Pattern METRIC_NAME = Pattern.compile("\\b(?:dragonfly_client|damselfly)_[a-zA-Z0-9_]+");

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void prometheusScrapesTheNodesTrafficAfterADownload() throws Exception {
        assertTrue(Files.isExecutable(PrometheusProcess.BINARY), PrometheusProcess.BINARY
                + " is missing: install the Debian package `prometheus` (apt-get install -y prometheus)");
        Set<String> dashboardMetrics = dashboardMetricNames();
        assertTrue(dashboardMetrics.contains("dragonfly_client_download_traffic"), "dashboard metrics: " + dashboardMetrics);

        byte[] content = new byte[FILE_SIZE];
        new Random(20).nextBytes(content);
        Files.createDirectories(work.resolve("node"));
        Files.createDirectories(work.resolve("prometheus"));
        try (RangeFileOrigin origin = RangeFileOrigin.start(content, "/blob/file.bin");
                RunningNode node = RunningNode.start(work.resolve("node"), "prom-e2e")) {
            Path output = work.resolve("file.bin");
            DamselflyProcess.Result get = DamselflyProcess.run(null, "get", origin.url().toString(),
                    "-O", output.toString(), "--node", "127.0.0.1:" + node.port("admin"));
            assertEquals(0, get.exitCode(), get.describe());
            assertEquals(sha256(content), sha256(Files.readAllBytes(output)), "downloaded bytes differ from the origin's");

            try (PrometheusProcess prometheus = PrometheusProcess.start(work.resolve("prometheus"), JOB,
                    "127.0.0.1:" + node.port("metrics"))) {
                awaitScrapedValues(prometheus, node);
            }

            // A task that fails after it started (wrong digest), so the failure counter exists too; done after the
            // Prometheus check because its bytes also count as back-to-source traffic.
            byte[] small = new byte[SMALL_FILE_SIZE];
            new Random(21).nextBytes(small);
            try (RangeFileOrigin smallOrigin = RangeFileOrigin.start(small, "/blob/small.bin")) {
                DamselflyProcess.Result failed = DamselflyProcess.run(null, "get", smallOrigin.url().toString(),
                        "-O", work.resolve("small.bin").toString(), "--node", "127.0.0.1:" + node.port("admin"),
                        "--digest", "sha256:" + "0".repeat(64));
                assertTrue(failed.exitCode() != 0, "a download with a wrong digest must fail\n" + failed.describe());
            }

            String metrics = nodeMetrics(node);
            Set<String> exposed = exposedNames(metrics);
            Set<String> missing = new TreeSet<>();
            for (String name : dashboardMetrics) {
                if (!name.startsWith(MOUNT_ONLY_PREFIX) && !exposed.contains(name)) {
                    missing.add(name);
                }
            }
            assertTrue(missing.isEmpty(), "metrics the dashboard plots but the node does not expose after a download: "
                    + missing + "\n--- node /metrics\n" + metrics);
        }
    }

    /** Polls Prometheus until traffic, version and up have the expected values, or fails with what it last saw. */
    private void awaitScrapedValues(PrometheusProcess prometheus, RunningNode node) throws Exception {
        Map<String, Double> expected = new LinkedHashMap<>();
        expected.put("dragonfly_client_download_traffic{job=\"" + JOB + "\",type=\"BACK_TO_SOURCE\"}", (double) FILE_SIZE);
        expected.put("dragonfly_client_version{job=\"" + JOB + "\"}", 1.0);
        expected.put("up{job=\"" + JOB + "\"}", 1.0);
        Map<String, String> lastAnswers = new LinkedHashMap<>();
        long deadline = System.nanoTime() + QUERY_DEADLINE.toNanos();
        while (true) {
            boolean all = true;
            for (Map.Entry<String, Double> query : expected.entrySet()) {
                JsonNode answer = prometheus.query(query.getKey());
                lastAnswers.put(query.getKey(), answer.toString());
                OptionalDouble value = PrometheusProcess.singleValue(answer);
                all &= value.isPresent() && value.getAsDouble() == query.getValue();
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder message = new StringBuilder("Prometheus did not report the expected values within ")
                        .append(QUERY_DEADLINE).append('\n');
                expected.forEach((query, value) -> message.append("  want ").append(query).append(" == ")
                        .append(value).append("\n  last ").append(lastAnswers.get(query)).append('\n'));
                message.append("--- prometheus targets\n").append(prometheus.targets())
                        .append("\n--- node ").append(node.readyLine())
                        .append("\n--- node /metrics\n").append(nodeMetrics(node));
                fail(message.toString());
            }
            Thread.sleep(500);
        }
    }

    private String nodeMetrics(RunningNode node) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port("metrics") + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    /** Sample names in a Prometheus text exposition (the part of each non-comment line before '{' or ' '). */
    private static Set<String> exposedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.length();
            for (char stop : new char[] {'{', ' '}) {
                int at = line.indexOf(stop);
                if (at >= 0) {
                    end = Math.min(end, at);
                }
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** Every Damselfly/Dragonfly metric name in the dashboard's queries (panel targets and template variables). */
    private static Set<String> dashboardMetricNames() throws IOException {
        Path dashboard = repositoryRoot().resolve("deploy/grafana/damselfly-dashboard.json");
        assertTrue(Files.isRegularFile(dashboard), "no dashboard at " + dashboard);
        Set<String> names = new TreeSet<>();
        collectQueryNames(new ObjectMapper().readTree(dashboard.toFile()), null, names);
        return names;
    }

    private static void collectQueryNames(JsonNode node, String field, Set<String> names) {
        if (node.isObject()) {
            node.fields().forEachRemaining(entry -> collectQueryNames(entry.getValue(), entry.getKey(), names));
        } else if (node.isArray()) {
            node.forEach(element -> collectQueryNames(element, field, names));
        } else if (node.isTextual() && ("expr".equals(field) || "query".equals(field) || "definition".equals(field))) {
            Matcher matcher = METRIC_NAME.matcher(node.asText());
            while (matcher.find()) {
                names.add(matcher.group());
            }
        }
    }

    /** The checkout's root: the nearest directory upwards from the working directory whose pom.xml lists e2e. */
    private static Path repositoryRoot() throws IOException {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path pom = dir.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom, StandardCharsets.UTF_8).contains("<module>e2e</module>")) {
                return dir;
            }
        }
        throw new IllegalStateException("no pom.xml with <module>e2e</module> above " + Path.of("").toAbsolutePath());
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
