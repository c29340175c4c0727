package dev.damselfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard: valid JSON, the variables it needs, a query on every panel, and only metric names
 * the node exposes. The allowed names are the node contract's list (notes/node-contract.md); that the
 * running node really exposes them on /metrics is checked by the lead's end-to-end test, which scrapes a
 * live node with Prometheus.
 */
class GrafanaDashboardTest {
    /** Metric names on the node's /metrics (node contract: Dragonfly-compatible names, then Damselfly's own). */
    static final Set<String> CONTRACT_METRICS = Set.of(
            "dragonfly_client_version",
            "dragonfly_client_download_task_total",
            "dragonfly_client_download_task_failure_total",
            "dragonfly_client_download_traffic",
            "dragonfly_client_upload_traffic",
            "dragonfly_client_concurrent_upload_piece_total",
            "dragonfly_client_proxy_request_total",
            "dragonfly_client_proxy_request_failure_total",
            "dragonfly_client_disk_space_total",
            "dragonfly_client_disk_usage_space_total",
            "damselfly_piecestore_stored_bytes",
            "damselfly_piecestore_tasks",
            "damselfly_piecestore_evicted_bytes_total",
            "damselfly_piecestore_reads_total",
            "damselfly_mount_read_latency_seconds",
            "damselfly_mount_chunk_fetch_bytes_total",
            "damselfly_mount_chunk_cache_total",
            "damselfly_mount_verification_failures_total");
    /** The contract's histograms, whose series carry _bucket, _sum and _count suffixes. */
    static final Set<String> HISTOGRAMS = Set.of("damselfly_mount_read_latency_seconds");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern IDENT = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    static JsonNode dashboard;

    @BeforeAll
    static void load() throws IOException {
        dashboard = RenderedChart.JSON.readTree(Repo.DASHBOARD.toFile());
    }

    /** Metric names a PromQL expression selects (functions, labels, keywords and variables removed). */
    static Set<String> metricNames(String expr) {
        String stripped = STRING.matcher(expr).replaceAll(" ");
        stripped = MATCHERS.matcher(stripped).replaceAll(" ");
        stripped = GROUPING.matcher(stripped).replaceAll(" ");
        stripped = RANGE.matcher(stripped).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENT.matcher(stripped);
        while (m.find()) {
            if (m.group(2) == null && !KEYWORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The contract name a series name belongs to (histogram suffixes removed). */
    static String contractName(String series) {
        for (String histogram : HISTOGRAMS) {
            for (String suffix : List.of("_bucket", "_sum", "_count")) {
                if (series.equals(histogram + suffix)) {
                    return histogram;
                }
            }
        }
        return series;
    }

    private static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    private static List<String> exprs() {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels()) {
            panel.path("targets").forEach(t -> exprs.add(t.path("expr").asText()));
        }
        return exprs;
    }

    @Test
    void parserFindsMetricNamesOnly() {
        assertEquals(Set.of("damselfly_mount_read_latency_seconds_bucket"), metricNames(
                "histogram_quantile(0.99, sum by (le) (rate(damselfly_mount_read_latency_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"));
        assertEquals(Set.of("a_total", "b_bytes"), metricNames("1 - sum(rate(a_total{type=\"X\"}[5m])) / on (x) sum(b_bytes)"));
    }

    @Test
    void isAModernDashboardWithDatasourceAndNodeVariables() {
        assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion " + dashboard.path("schemaVersion"));
        assertFalse(dashboard.path("title").asText().isBlank());
        assertFalse(dashboard.path("uid").asText().isBlank());
        JsonNode variables = dashboard.path("templating").path("list");
        JsonNode datasource = RenderedChart.named(variables, "datasource");
        assertEquals("datasource", datasource.path("type").asText());
        assertEquals("prometheus", datasource.path("query").asText());
        JsonNode instance = RenderedChart.named(variables, "instance");
        assertEquals("query", instance.path("type").asText());
        assertEquals("${datasource}", instance.path("datasource").path("uid").asText());
        Matcher values = Pattern.compile("label_values\\((\\w+), *instance\\)").matcher(instance.path("definition").asText());
        assertTrue(values.matches(), "instance variable: " + instance);
        assertTrue(CONTRACT_METRICS.contains(values.group(1)), "instance values from a metric the node has not: " + values.group(1));
    }

    @Test
    void everyPanelQueriesTheSelectedDatasourceAndNodes() {
        Set<Integer> ids = new HashSet<>();
        int queried = 0;
        for (JsonNode panel : panels()) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id in " + title);
            JsonNode grid = panel.path("gridPos");
            assertTrue(grid.path("x").asInt() + grid.path("w").asInt() <= 24, title + " is wider than the grid");
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            assertFalse(panel.path("description").asText().isBlank(), title + " has no description");
            assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title);
            JsonNode targets = panel.path("targets");
            assertTrue(targets.size() > 0, title + " has no target");
            for (JsonNode target : targets) {
                String expr = target.path("expr").asText();
                assertFalse(expr.isBlank(), title + " has a target without expr");
                assertTrue(expr.contains("instance=~\"$instance\""), title + " ignores the node variable: " + expr);
                assertFalse(metricNames(expr).isEmpty(), title + " selects no metric: " + expr);
                queried++;
            }
        }
        assertTrue(queried >= 10, "only " + queried + " queries");
    }

    @Test
    void usesOnlyTheNodesMetricNames() {
        for (String expr : exprs()) {
            for (String name : metricNames(expr)) {
                assertTrue(CONTRACT_METRICS.contains(contractName(name)), "not a metric of the node: " + name + " in " + expr);
            }
        }
    }

    @Test
    void coversTrafficEgressPieceStoreLatencyTasksAndProxy() {
        String all = String.join("\n", exprs());
        assertTrue(all.contains("sum by (type) (rate(dragonfly_client_download_traffic"), "traffic by source");
        assertTrue(all.matches("(?s).*1 - \\(sum\\((increase|rate)\\(dragonfly_client_download_traffic\\{type=\"BACK_TO_SOURCE\".*"),
                "registry egress saved = 1 - back-to-source / all");
        assertTrue(all.contains("dragonfly_client_upload_traffic"), "upload traffic");
        assertTrue(all.contains("damselfly_piecestore_stored_bytes") && all.contains("dragonfly_client_disk_space_total"),
                "piece-store use against the disk");
        assertTrue(all.contains("histogram_quantile(0.5, sum by (le) (rate(damselfly_mount_read_latency_seconds_bucket"), "p50");
        assertTrue(all.contains("histogram_quantile(0.99, sum by (le) (rate(damselfly_mount_read_latency_seconds_bucket"), "p99");
        assertTrue(all.contains("rate(dragonfly_client_download_task_total") && all.contains("rate(dragonfly_client_download_task_failure_total"),
                "download task rate and failures");
        assertTrue(all.contains("rate(dragonfly_client_proxy_request_total"), "proxy requests");
    }
}
