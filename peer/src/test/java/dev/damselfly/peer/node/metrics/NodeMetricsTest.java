package dev.damselfly.peer.node.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeMetricsTest {
    @TempDir
    Path dir;

    @Test
    void exposesDragonflyNamesForTrafficRecordedByComponents() {
        NodeMetrics metrics = NodeMetrics.create("9.9.9", dir);
        Counter.builder(NodeMetrics.DOWNLOAD_TRAFFIC).tag("type", "REMOTE_PEER").register(metrics.registry()).increment(4096);
        Counter.builder(NodeMetrics.UPLOAD_TRAFFIC).register(metrics.registry()).increment(1024);
        // gauges hold their objects weakly: keep them reachable until the scrape
        java.util.concurrent.atomic.AtomicInteger uploads = metrics.registry().gauge(
                "dragonfly.client.concurrent.upload.piece.total", new java.util.concurrent.atomic.AtomicInteger(3));
        java.util.concurrent.atomic.AtomicInteger downloads = metrics.registry().gauge("dragonfly.client.concurrent.download.task.total",
                io.micrometer.core.instrument.Tags.of("type", "0", "tag", "a\"b"), new java.util.concurrent.atomic.AtomicInteger(2));
        String text = metrics.scrape();
        java.lang.ref.Reference.reachabilityFence(uploads);
        java.lang.ref.Reference.reachabilityFence(downloads);
        assertLine(text, "dragonfly_client_concurrent_upload_piece_total 3");
        assertLine(text, "dragonfly_client_concurrent_download_task_total\\{tag=\"a\\\\\"b\",type=\"0\"} 2");
        assertLine(text, "dragonfly_client_download_traffic\\{type=\"REMOTE_PEER\"} 4096(\\.0)?");
        assertLine(text, "dragonfly_client_download_traffic\\{type=\"BACK_TO_SOURCE\"} 0(\\.0)?");
        assertLine(text, "damselfly_download_traffic_bytes_total\\{type=\"REMOTE_PEER\"} 4096(\\.0)?");
        assertLine(text, "dragonfly_client_upload_traffic 1024(\\.0)?");
        assertLine(text, "dragonfly_client_version\\{.*git_version=\"9\\.9\\.9\".*} 1(\\.0)?");
        assertLine(text, "dragonfly_client_disk_space_total [0-9]+");
        assertLine(text, "dragonfly_client_disk_usage_space_total [0-9]+");
    }

    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("^" + regex + "$", Pattern.MULTILINE).matcher(text).find(),
                () -> "no line matching " + regex + " in:\n" + text);
    }
}
